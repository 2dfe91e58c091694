import type { ScenarioStep } from './schema';

/**
 * A step as a sentence for reports: "vendor scans the QR code", "admin revokes the token of Frontline
 * staging", "expect screen staged, stage staged".
 */

const of = (profile: string | undefined) => (profile === undefined ? '' : ` of ${profile}`);
const refusedText = (refused: { code: string } | undefined) =>
  refused === undefined ? '' : ` (expected refused: ${refused.code})`;

function duration(seconds: number): string {
  for (const [unit, size] of [
    ['y', 365 * 86_400],
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

function names(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  const { includes, excludes } = value as { includes?: string[]; excludes?: string[] };
  return [
    includes ? `including [${includes.join(', ')}]` : '',
    excludes ? `excluding [${excludes.join(', ')}]` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function reportCheck(check: { filter?: string; count?: number; deviceName?: string }): string {
  return [
    check.count !== undefined ? `${check.count} row${check.count === 1 ? '' : 's'}` : '',
    check.filter ? `where ${check.filter}` : '',
    check.deviceName ? `named /${check.deviceName}/` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function fieldsText(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([field, value]) =>
      value !== null && typeof value === 'object'
        ? `${field} ~ /${(value as { matches: string }).matches}/`
        : `${field} = ${JSON.stringify(value)}`,
    )
    .join(', ');
}

function expectation(step: Extract<ScenarioStep, { role: 'expect' }>): string {
  const parts = Object.entries(step.expect)
    .filter(([key, value]) => key !== 'device' && value !== undefined)
    .map(([key, value]) => {
      switch (key) {
        case 'policies':
        case 'apps':
          return `${key} ${names(value)}`;
        case 'ledger':
          return `ledger [${(value as Array<{ stage: string; actor?: string }>).map((entry) => (entry.actor ? `${entry.stage} by ${entry.actor}` : entry.stage)).join(', ')}]`;
        case 'managedDevices':
          return `report ${(Array.isArray(value) ? value : [value]).map(reportCheck).join('; ')}`;
        case 'deviceName':
          return `deviceName /${String(value)}/`;
        case 'managedDevice':
          return `managed device ${fieldsText(value as Record<string, unknown>)}`;
        case 'enrollmentProfile': {
          const check = value as { profile?: string; fields: Record<string, unknown> };
          return `profile${check.profile ? ` "${check.profile}"` : ''} ${fieldsText(check.fields)}`;
        }
        default:
          return `${key} ${String(value)}`;
      }
    });
  return `expect ${parts.join(', ')}`;
}

export function describeStep(step: ScenarioStep): string {
  const who = step.role;
  switch (step.command) {
    case 'expect':
      return expectation(step as Extract<ScenarioStep, { role: 'expect' }>);
    case 'createProfile':
      return `${who} creates profile "${step.name}" (${step.mode}, ${step.token} token${step.validity === undefined ? '' : `, valid ${duration(step.validity)}`}${step.deviceNameTemplate === undefined ? '' : `, deviceNameTemplate "${step.deviceNameTemplate}"`})${refusedText(step.refused)}`;
    case 'createToken':
      return `${who} creates a new token${of(step.profile)}${refusedText(step.refused)}`;
    case 'replaceToken':
      return `${who} replaces the token${of(step.profile)}${refusedText(step.refused)}`;
    case 'editProfile':
      return `${who} edits profile${of(step.profile)}${step.name !== undefined ? `: renamed "${step.name}"` : ''}${step.deviceNameTemplate !== undefined ? `, deviceNameTemplate "${step.deviceNameTemplate}"` : ''}${refusedText(step.refused)}`;
    case 'deleteProfile':
      return `${who} deletes profile${of(step.profile)}${refusedText(step.refused)}`;
    case 'registerConfiguration':
      return `${who} registers the device for ${step.format ?? "its export's format"} with ${step.export !== undefined ? `export "${step.export}"` : 'JSON text'}${step.cutShort ? ' cut short' : ''}${step.dpc ? ` (DPC ${step.dpc})` : ''}`;
    case 'unregisterConfiguration':
      return `${who} removes the device's zero-touch or KME configuration`;
    case 'revokeToken':
      return `${who} revokes the token${of(step.profile)}${refusedText(step.refused)}`;
    case 'exportToken':
      return `${who} exports the token${of(step.profile)} for ${step.format}${step.expect.refused ? ' (refused)' : ''}`;
    case 'createAssignmentFilter':
      return `${who} creates ${step.platform} assignment filter "${step.name}": ${step.rule}`;
    case 'createDynamicDeviceGroup':
      return `${who} creates dynamic device group "${step.name}": ${step.membershipRule}`;
    case 'createUserGroup':
      return `${who} creates user group "${step.name}" (${step.members.length} member${step.members.length === 1 ? '' : 's'})`;
    case 'assignPolicy':
    case 'assignApp':
      return step.excludeGroup !== undefined
        ? `${who} excludes group "${step.excludeGroup}" from "${step.name}"`
        : `${who} assigns ${step.command === 'assignPolicy' ? 'policy' : `app (${step.intent})`} "${step.name}"${step.type === undefined ? '' : ` (${step.type})`} to ${assignedTo(step)}`;
    case 'unboxAndPowerOn':
      return `${who} unboxes and powers on the device`;
    case 'powerOn':
      return `${who} powers on the device`;
    case 'powerOff':
      return `${who} turns the device off`;
    case 'completeSetupWizard':
      return `${who} completes the setup wizard and stops at sign-in`;
    case 'connectWifi':
      return `${who} connects to Wi-Fi`;
    case 'tryAgain':
      return `${who} taps Try again`;
    case 'scanQrCode':
      return step.text !== undefined
        ? `${who} scans a QR code holding ${JSON.stringify(step.text)}`
        : `${who} scans the ${step.token} token's QR code${of(step.profile)}${step.checksum !== undefined ? ' (wrong checksum)' : ''}${step.downloadLocation !== undefined ? ' (other download location)' : ''}${step.useMobileData ? ' (mobile data allowed)' : ''}`;
    case 'enterToken':
      return step.text !== undefined
        ? `${who} types ${JSON.stringify(step.text)} as the token`
        : `${who} types the ${step.token} token${of(step.profile)} (${step.as})`;
    case 'openIntuneApp':
      return `${who} opens the Microsoft Intune app`;
    case 'signIn':
      return `${who} signs in as ${step.upn}`;
    case 'createWorkProfile':
      return `${who} creates the work profile`;
    case 'grantPermissions':
      return `${who} grants the permissions`;
    case 'acceptTerms':
      return `${who} accepts the terms`;
    case 'resumeEnrollment':
      return `${who} continues the enrollment`;
    case 'dropNetwork':
      return `the network drops (${step.network})`;
    case 'restoreNetwork':
      return `the network comes back (${step.network})`;
    case 'stallNetwork':
      return `the network stalls${step.work === undefined ? '' : ` (${step.work})`}`;
    case 'resumeNetwork':
      return 'the network resumes';
    case 'advanceClock':
      return `the backend clock moves ${duration(step.by)} forward`;
    case 'setClock':
      return `the backend clock is set to ${step.to}`;
    case 'restartBackend':
      return 'the backend restarts';
    case 'cutPower':
      return 'the power is cut';
    case 'factoryReset':
      return 'the device is reset to factory settings';
  }
}

function assignedTo(step: {
  filter?: string;
  filterMode: string;
  group?: string;
  allDevices?: true;
  allUsers?: true;
}): string {
  const filter = step.filter === undefined ? '' : ` with filter "${step.filter}" (${step.filterMode})`;
  if (step.group !== undefined) return `group "${step.group}"${filter}`;
  if (step.allUsers) return `all users${filter}`;
  return `all devices${filter}`;
}
