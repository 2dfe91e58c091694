/**
 * The admin API's collections of things a device can receive, under /beta/deviceManagement, in one
 * place: the targeting page creates and assigns them, a device's page finds what it received in them.
 */
export const PAYLOAD_COLLECTIONS = [
  { path: 'simulatorPolicies', title: 'Policies', delivered: 'policies' },
  { path: 'simulatorApps', title: 'Apps', delivered: 'apps' },
] as const;
