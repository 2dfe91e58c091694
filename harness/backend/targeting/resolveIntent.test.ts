import { resolveIntent } from './deliveries';

/**
 * The rows of "How conflicts between app intents are resolved" (MicrosoftDocs/memdocs,
 * memdocs/intune/apps/apps-deploy.md) that apply to managed Google Play apps on an enrolled device. Where
 * the table answers two intents ("Required and Available"), the device installs the app: required.
 */
const rows: Array<[string, Parameters<typeof resolveIntent>[0], string]> = [
  ['User Required + User Available', [u('required'), u('available')], 'required'],
  ['User Required + User Uninstall', [u('required'), u('uninstall')], 'required'],
  ['User Available + User Uninstall', [u('available'), u('uninstall')], 'uninstall'],
  ['User Required + Device Required', [u('required'), d('required')], 'required'],
  ['User Required + Device Uninstall', [u('required'), d('uninstall')], 'required'],
  ['User Available + Device Required', [u('available'), d('required')], 'required'],
  ['User Available + Device Uninstall', [u('available'), d('uninstall')], 'available'],
  ['User Uninstall + Device Required', [u('uninstall'), d('required')], 'required'],
  ['User Uninstall + Device Uninstall', [u('uninstall'), d('uninstall')], 'uninstall'],
  ['Device Required + Device Uninstall', [d('required'), d('uninstall')], 'required'],
  [
    'User Available without enrollment + User Required',
    [u('availableWithoutEnrollment'), u('required')],
    'required',
  ],
  [
    'User Available without enrollment + User Available',
    [u('availableWithoutEnrollment'), u('available')],
    'available',
  ],
  [
    'User Available without enrollment + Device Required',
    [u('availableWithoutEnrollment'), d('required')],
    'required',
  ],
];

function u(intent: Parameters<typeof resolveIntent>[0][number]['intent']) {
  return { intent, audience: 'user' as const };
}
function d(intent: Parameters<typeof resolveIntent>[0][number]['intent']) {
  return { intent, audience: 'device' as const };
}

describe("app intents in conflict, as Intune's table resolves them", () => {
  it.each(rows)('%s', (_row, reached, expected) => {
    expect(resolveIntent(reached)).toBe(expected);
    // The order the assignments come in does not matter.
    expect(resolveIntent([...reached].reverse())).toBe(expected);
  });

  it('a single intent stands', () => {
    for (const intent of ['required', 'available', 'uninstall', 'availableWithoutEnrollment'] as const)
      expect(resolveIntent([d(intent)])).toBe(intent);
  });
});
