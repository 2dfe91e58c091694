import { parseUiSelector, selectNodes, uiSelectorFor, type NodeAttributes } from './uiSelector';

const node = (partial: Partial<NodeAttributes>): NodeAttributes => ({
  text: '',
  'content-desc': '',
  'resource-id': '',
  class: 'android.widget.TextView',
  package: 'com.example',
  clickable: false,
  enabled: true,
  focused: false,
  focusable: false,
  checked: false,
  selected: false,
  scrollable: false,
  index: 0,
  ...partial,
});

const nodes = [
  node({ text: 'Welcome', 'resource-id': 'com.example:id/title' }),
  node({
    text: 'Next',
    class: 'android.widget.Button',
    'resource-id': 'com.example:id/next',
    clickable: true,
    index: 1,
  }),
  node({
    text: 'Skip "for now"',
    class: 'android.widget.Button',
    clickable: true,
    index: 2,
    'content-desc': 'Skip',
  }),
];
const select = (source: string) => selectNodes(parseUiSelector(source), nodes, (n) => n).map((n) => n.text);

test('attribute criteria, chained: all must hold', () => {
  expect(select('new UiSelector().className("android.widget.Button")')).toEqual(['Next', 'Skip "for now"']);
  expect(select('new UiSelector().className("android.widget.Button").text("Next")')).toEqual(['Next']);
  expect(select('new UiSelector().resourceId("com.example:id/title")')).toEqual(['Welcome']);
  expect(select('new UiSelector().description("Skip")')).toEqual(['Skip "for now"']);
  expect(select('new UiSelector().packageName("com.example").index(1)')).toEqual(['Next']);
  expect(select('new UiSelector()')).toHaveLength(3);
});

test('contains, starts-with and regex forms; regexes match the whole value, as Java does', () => {
  expect(select('new UiSelector().textContains("for")')).toEqual(['Skip "for now"']);
  expect(select('new UiSelector().textStartsWith("We")')).toEqual(['Welcome']);
  expect(select('new UiSelector().textMatches("N.x")')).toEqual([]);
  expect(select('new UiSelector().textMatches("N.xt")')).toEqual(['Next']);
  expect(select('new UiSelector().resourceIdMatches(".*:id/(title|next)")')).toEqual(['Welcome', 'Next']);
});

test('booleans and instance(n)', () => {
  expect(select('new UiSelector().clickable(true)')).toEqual(['Next', 'Skip "for now"']);
  expect(select('new UiSelector().clickable(false)')).toEqual(['Welcome']);
  expect(select('new UiSelector().clickable(true).instance(1)')).toEqual(['Skip "for now"']);
  expect(select('new UiSelector().clickable(true).instance(5)')).toEqual([]);
});

test('escaped quotes, spaces between the parts, a trailing semicolon', () => {
  expect(select(' new  UiSelector ( ) . text ( "Skip \\"for now\\"" ) ; ')).toEqual(['Skip "for now"']);
});

test('uiSelectorFor writes chains that parse back to the same selection', () => {
  const source = uiSelectorFor({
    className: 'android.widget.Button',
    text: 'Skip "for now"',
    description: 'Skip',
  });
  expect(select(source)).toEqual(['Skip "for now"']);
});

test.each([
  ['UiSelector().text("x")', /expected "new"/],
  ['new UiSelector().text(x)', /expected a string in double quotes/],
  ['new UiSelector().text("x"', /expected "\)"/],
  ['new UiSelector().clickable(yes)', /expected true or false/],
  ['new UiSelector().childSelector(new UiSelector())', /childSelector\(\) is not supported/],
  ['new UiSelector().textMatches("(")', /not a valid regular expression/],
  ['new UiSelector().text("x") junk', /expected "\." and a UiSelector method, or the end/],
  ['new UiScrollable(new UiSelector())', /expected "UiSelector"/],
])('%s is refused with UI_SELECTOR_INVALID', (source, message) => {
  expect(() => parseUiSelector(source)).toThrow(
    expect.objectContaining({ code: 'UI_SELECTOR_INVALID', message: expect.stringMatching(message) }),
  );
});
