import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';
import * as xpath from 'xpath';
import { StagesimError } from '../../../agent/errors';
import {
  parseUiSelector,
  selectNodes,
  type NodeAttributes,
  type UiSelectorQuery,
} from '../../../agent/appium-driver/uiSelector';
import { queryOf, type WebDriverQuery } from './locators';
import type { Locator } from '../../../agent/selectors/selectorSchema';

/**
 * A page source (UiAutomator2's XML) read once and searched locally: which screen of the selector files
 * is shown, and the text of its elements, without one WebDriver round trip per locator. The queries are
 * the ones the page objects send, evaluated the way UiAutomator2 evaluates them.
 *
 * Error code: PAGE_SOURCE_INVALID.
 */
export interface SourceNode {
  element: XmlElement;
  attributes: NodeAttributes;
}

export interface ParsedSource {
  document: ReturnType<DOMParser['parseFromString']>;
  nodes: SourceNode[];
}

const flag = (element: XmlElement, name: string) => element.getAttribute(name) === 'true';

export function parsePageSource(xml: string): ParsedSource {
  const problems: string[] = [];
  const document = new DOMParser({
    onError: (level, message) => void (level !== 'warning' && problems.push(message)),
  }).parseFromString(xml, 'text/xml');
  const root = document.documentElement;
  if (problems.length > 0 || !root)
    throw new StagesimError(
      'PAGE_SOURCE_INVALID',
      `the page source is not XML: ${problems[0] ?? 'no root element'}`,
    );
  const nodes: SourceNode[] = [];
  const walk = (element: XmlElement) => {
    for (let child = element.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== 1) continue;
      const el = child as XmlElement;
      nodes.push({
        element: el,
        attributes: {
          text: el.getAttribute('text') ?? '',
          'content-desc': el.getAttribute('content-desc') ?? '',
          'resource-id': el.getAttribute('resource-id') ?? '',
          class: el.getAttribute('class') ?? el.tagName,
          package: el.getAttribute('package') ?? '',
          clickable: flag(el, 'clickable'),
          enabled: flag(el, 'enabled'),
          focused: flag(el, 'focused'),
          focusable: flag(el, 'focusable'),
          checked: flag(el, 'checked'),
          selected: flag(el, 'selected'),
          scrollable: flag(el, 'scrollable'),
          index: Number(el.getAttribute('index') ?? 0),
        },
      });
      walk(el);
    }
  };
  walk(root);
  return { document, nodes };
}

const uiSelectorCache = new Map<string, UiSelectorQuery>();

/** The nodes a WebDriver query selects in this page source. */
export function selectInSource(source: ParsedSource, query: WebDriverQuery): SourceNode[] {
  switch (query.using) {
    case 'id':
      return source.nodes.filter((node) => node.attributes['resource-id'] === query.value);
    case 'accessibility id':
      return source.nodes.filter((node) => node.attributes['content-desc'] === query.value);
    case '-android uiautomator': {
      let parsed = uiSelectorCache.get(query.value);
      if (!parsed) {
        parsed = parseUiSelector(query.value);
        uiSelectorCache.set(query.value, parsed);
      }
      return selectNodes(parsed, source.nodes, (node) => node.attributes);
    }
    case 'xpath': {
      const selected = xpath.select(
        query.value,
        source.document as unknown as Parameters<typeof xpath.select>[1],
      );
      const list = Array.isArray(selected) ? (selected as unknown[]) : [];
      return source.nodes.filter((node) => list.includes(node.element));
    }
  }
}

export function selectLocator(source: ParsedSource, locator: Locator): SourceNode[] {
  return selectInSource(source, queryOf(locator));
}
