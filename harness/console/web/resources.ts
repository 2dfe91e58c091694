import { COLLECTIONS, type ResourceKind } from '../../backend/resources/catalogue';

/**
 * The Graph collections of what a device can receive, in one place: the targeting page creates and
 * assigns them, a device's page finds the assignments of what it received. Paths, subtypes and the
 * assign body's key come from the backend's catalogue (harness/backend/resources/catalogue.ts), so the
 * console names nothing Graph does not have.
 */
export interface ConsoleCollection {
  kind: ResourceKind;
  path: string;
  title: string;
  /** What the create form makes: the subtype's @odata.type and what the form calls it. */
  creates: { odataType: string; label: string };
  assignBodyKey: 'assignments' | 'mobileAppAssignments';
  /** The intents an assignment offers (the first is the default); none for compliance policies. */
  intents: readonly string[];
}

const graphType = (name: string) => `#microsoft.graph.${name}`;

export const RESOURCE_COLLECTIONS: readonly ConsoleCollection[] = [
  {
    kind: 'deviceConfiguration',
    path: COLLECTIONS.deviceConfiguration.path,
    title: 'Configuration profiles',
    creates: {
      odataType: graphType('androidDeviceOwnerGeneralDeviceConfiguration'),
      label: 'Device restrictions (fully managed, dedicated, corporate-owned work profile)',
    },
    assignBodyKey: COLLECTIONS.deviceConfiguration.assignBodyKey,
    intents: ['apply', 'remove'],
  },
  {
    kind: 'deviceCompliancePolicy',
    path: COLLECTIONS.deviceCompliancePolicy.path,
    title: 'Compliance policies',
    creates: {
      odataType: graphType('androidDeviceOwnerCompliancePolicy'),
      label: 'Android Enterprise compliance (fully managed, dedicated, corporate-owned work profile)',
    },
    assignBodyKey: COLLECTIONS.deviceCompliancePolicy.assignBodyKey,
    intents: [],
  },
  {
    kind: 'mobileApp',
    path: COLLECTIONS.mobileApp.path,
    title: 'Apps (managed Google Play)',
    creates: { odataType: graphType('androidManagedStoreApp'), label: 'Managed Google Play app' },
    assignBodyKey: COLLECTIONS.mobileApp.assignBodyKey,
    intents: ['required', 'available', 'uninstall'],
  },
];

/** The collection a delivered resource lives in, from its @odata.type. */
export function collectionOfType(odataType: string): ConsoleCollection | undefined {
  const name = odataType.replace(/^#microsoft\.graph\./, '');
  return RESOURCE_COLLECTIONS.find((collection) => COLLECTIONS[collection.kind].subtypes.includes(name));
}
