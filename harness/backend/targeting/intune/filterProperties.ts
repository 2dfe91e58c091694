import type { AssignmentFilterOperator } from '@microsoft/microsoft-graph-types-beta';
import type { FilterPlatform } from '../platforms';
import type { TargetDevice } from '../targetDevice';

/**
 * The properties and operators of Intune's filter rules, as "App and device properties, operators, and
 * rule editing when creating filters in Microsoft Intune" lists them (MicrosoftDocs/memdocs,
 * memdocs/intune/fundamentals/filters-device-properties.md, ms.date 08/21/2024): for each property its
 * operators, the platforms it applies to and, where the reference names them, its values.
 */

/** The operators Intune's rule editor takes, by Graph's names (AssignmentFilterOperator). */
export type FilterOperator = Extract<
  AssignmentFilterOperator,
  | 'equals'
  | 'notEquals'
  | 'startsWith'
  | 'contains'
  | 'notContains'
  | 'in'
  | 'notIn'
  | 'greaterThan'
  | 'greaterThanOrEquals'
  | 'lessThan'
  | 'lessThanOrEquals'
>;

/** "Allowed values: `-eq` | `eq`": each operator with or without its dash, in any case. */
export const OPERATOR_WORDS: Record<string, FilterOperator> = {
  eq: 'equals',
  ne: 'notEquals',
  startswith: 'startsWith',
  contains: 'contains',
  notcontains: 'notContains',
  in: 'in',
  notin: 'notIn',
  gt: 'greaterThan',
  ge: 'greaterThanOrEquals',
  lt: 'lessThan',
  le: 'lessThanOrEquals',
};
export const OPERATOR_SPELLING: Record<FilterOperator, string> = {
  equals: '-eq',
  notEquals: '-ne',
  startsWith: '-startsWith',
  contains: '-contains',
  notContains: '-notContains',
  in: '-in',
  notIn: '-notIn',
  greaterThan: '-gt',
  greaterThanOrEquals: '-ge',
  lessThan: '-lt',
  lessThanOrEquals: '-le',
};
export const LIST_OPERATORS: ReadonlySet<FilterOperator> = new Set(['in', 'notIn']);

/** "Enter the full string value (using -eq, -ne, -in, -notIn operators), or partial value (using -startswith, -contains, -notcontains operators)". */
const STRING_OPERATORS: readonly FilterOperator[] = [
  'equals',
  'notEquals',
  'in',
  'notIn',
  'startsWith',
  'contains',
  'notContains',
];
const FULL_VALUE_OPERATORS: readonly FilterOperator[] = ['equals', 'notEquals', 'in', 'notIn'];
const EQUALITY_OPERATORS: readonly FilterOperator[] = ['equals', 'notEquals'];
const VERSION_OPERATORS: readonly FilterOperator[] = [
  'equals',
  'notEquals',
  'greaterThan',
  'greaterThanOrEquals',
  'lessThan',
  'lessThanOrEquals',
];

// "Android Enterprise" in the reference: androidForWork, and the personally-owned work profile with it.
const ANDROID_ENTERPRISE: readonly FilterPlatform[] = ['androidForWork', 'androidWorkProfile'];
const ALL_MANAGED_DEVICES: readonly FilterPlatform[] = [
  'android',
  ...ANDROID_ENTERPRISE,
  'androidAOSP',
  'iOS',
  'macOS',
  'windows10AndLater',
];
const ALL_MANAGED_APPS: readonly FilterPlatform[] = [
  'androidMobileApplicationManagement',
  'iOSMobileApplicationManagement',
  'windowsMobileApplicationManagement',
];

export interface FilterProperty {
  entity: 'device' | 'app';
  name: string;
  /** The admin center's name for it. */
  label: string;
  operators: readonly FilterOperator[];
  platforms: readonly FilterPlatform[];
  /** version: compared as a version (operatingSystemVersion); string: compared as text without regard to case. */
  valueType: 'string' | 'version';
  /** Values the reference lists for full-value comparisons, per platform; absent when any string goes. */
  values?: (platform: FilterPlatform) => readonly string[];
  /** The device's value; null when Intune does not know it. */
  read: (device: TargetDevice) => string | null;
}

const unknownOnDevice = () => null;

const CPU_ARCHITECTURES = (platform: FilterPlatform) =>
  platform === 'macOS' ? ['x64', 'arm64', 'unknown'] : ['amd64', 'x86', 'arm64', 'unknown'];

/** "Select Personal, Corporate, or unknown values"; every device the simulator enrolls is corporate-owned. */
const OWNERSHIP = () => ['Personal', 'Corporate', 'Unknown'];
const TRUE_FALSE_UNKNOWN = () => ['True', 'False', 'Unknown'];
const TRUST_TYPES = () => ['Azure AD joined', 'Azure AD registered', 'Hybrid Azure AD joined', 'Unknown'];
const APP_MANAGEMENT_TYPES = (platform: FilterPlatform) =>
  platform === 'iOSMobileApplicationManagement'
    ? ['Unmanaged', 'Managed']
    : [
        'Unmanaged',
        'Android device administrator',
        'Android Enterprise',
        'AOSP userless devices',
        'AOSP user-associated devices',
        'Corporate-owned dedicated devices with Azure AD Shared mode',
      ];

export const FILTER_PROPERTIES: readonly FilterProperty[] = [
  {
    entity: 'device',
    name: 'cpuArchitecture',
    label: 'CPU Architecture',
    operators: FULL_VALUE_OPERATORS,
    platforms: ['macOS', 'windows10AndLater'],
    valueType: 'string',
    values: CPU_ARCHITECTURES,
    read: unknownOnDevice,
  },
  {
    entity: 'device',
    name: 'deviceCategory',
    label: 'Device Category',
    operators: STRING_OPERATORS,
    platforms: ALL_MANAGED_DEVICES,
    valueType: 'string',
    // The simulator has no device categories: no device is in one.
    read: unknownOnDevice,
  },
  {
    entity: 'device',
    name: 'deviceName',
    label: 'Device Name',
    operators: STRING_OPERATORS,
    platforms: ALL_MANAGED_DEVICES,
    valueType: 'string',
    read: (device) => device.deviceName,
  },
  {
    entity: 'device',
    name: 'deviceOwnership',
    label: 'Ownership',
    operators: EQUALITY_OPERATORS,
    platforms: ALL_MANAGED_DEVICES,
    valueType: 'string',
    values: OWNERSHIP,
    read: (device) => (device.enrollmentMode === null ? null : 'Corporate'),
  },
  {
    entity: 'device',
    name: 'deviceTrustType',
    label: 'Microsoft Entra join type',
    operators: FULL_VALUE_OPERATORS,
    platforms: ['windows10AndLater'],
    valueType: 'string',
    values: TRUST_TYPES,
    read: unknownOnDevice,
  },
  {
    entity: 'device',
    name: 'enrollmentProfileName',
    label: 'Enrollment profile name',
    operators: STRING_OPERATORS,
    platforms: [...ANDROID_ENTERPRISE, 'androidAOSP', 'iOS', 'windows10AndLater'],
    valueType: 'string',
    read: (device) => device.enrollmentProfileName,
  },
  {
    entity: 'device',
    name: 'isRooted',
    label: 'Rooted or jailbroken',
    operators: EQUALITY_OPERATORS,
    platforms: ['android', ...ANDROID_ENTERPRISE, 'androidAOSP', 'iOS'],
    valueType: 'string',
    values: TRUE_FALSE_UNKNOWN,
    // "Android Enterprise (Work profile only)": a fully managed or dedicated device does not report it.
    // Simulated devices are not rooted.
    read: (device) =>
      device.enrollmentMode === 'corporateOwnedWorkProfile' || device.platform === 'androidAOSP'
        ? 'False'
        : null,
  },
  {
    entity: 'device',
    name: 'manufacturer',
    label: 'Manufacturer',
    operators: STRING_OPERATORS,
    platforms: ALL_MANAGED_DEVICES,
    valueType: 'string',
    read: (device) => device.manufacturer,
  },
  {
    entity: 'device',
    name: 'model',
    label: 'Model',
    operators: STRING_OPERATORS,
    platforms: ALL_MANAGED_DEVICES,
    valueType: 'string',
    read: (device) => device.model,
  },
  {
    entity: 'device',
    name: 'operatingSystemVersion',
    label: 'Operating System Version',
    operators: VERSION_OPERATORS,
    platforms: ALL_MANAGED_DEVICES,
    valueType: 'version',
    read: (device) => device.osVersion,
  },
  {
    entity: 'device',
    name: 'osVersion',
    label: 'OS Version',
    operators: STRING_OPERATORS,
    platforms: ALL_MANAGED_DEVICES,
    valueType: 'string',
    read: (device) => device.osVersion,
  },
  {
    entity: 'device',
    name: 'operatingSystemSKU',
    label: 'Operating System SKU',
    operators: STRING_OPERATORS,
    platforms: ['windows10AndLater'],
    valueType: 'string',
    read: unknownOnDevice,
  },
  // Managed app properties ("Managed app properties" in the same reference). The simulator runs no managed
  // apps, so these are checked but never hold for a device.
  {
    entity: 'app',
    name: 'appVersion',
    label: 'App Version',
    operators: STRING_OPERATORS,
    platforms: ALL_MANAGED_APPS,
    valueType: 'string',
    read: unknownOnDevice,
  },
  {
    entity: 'app',
    name: 'deviceManagementType',
    label: 'Device Management Type',
    operators: EQUALITY_OPERATORS,
    platforms: ['androidMobileApplicationManagement', 'iOSMobileApplicationManagement'],
    valueType: 'string',
    values: APP_MANAGEMENT_TYPES,
    read: unknownOnDevice,
  },
  {
    entity: 'app',
    name: 'deviceManufacturer',
    label: 'Manufacturer',
    operators: STRING_OPERATORS,
    platforms: ALL_MANAGED_APPS,
    valueType: 'string',
    read: unknownOnDevice,
  },
  {
    entity: 'app',
    name: 'deviceModel',
    label: 'Model',
    operators: STRING_OPERATORS,
    platforms: ALL_MANAGED_APPS,
    valueType: 'string',
    read: unknownOnDevice,
  },
  {
    entity: 'app',
    name: 'operatingSystemVersion',
    label: 'Operating System Version',
    operators: VERSION_OPERATORS,
    platforms: ALL_MANAGED_APPS,
    valueType: 'version',
    read: unknownOnDevice,
  },
  {
    entity: 'app',
    name: 'osVersion',
    label: 'OS Version',
    operators: STRING_OPERATORS,
    platforms: ALL_MANAGED_APPS,
    valueType: 'string',
    read: unknownOnDevice,
  },
];

export function propertiesFor(platform: FilterPlatform): FilterProperty[] {
  return FILTER_PROPERTIES.filter((property) => property.platforms.includes(platform));
}
