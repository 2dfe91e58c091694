import type { TargetDevice } from '../targetDevice';

/**
 * The device attributes of Entra's dynamic membership rules ("Manage rules for dynamic membership groups
 * in Microsoft Entra ID", MicrosoftDocs/entra-docs docs/identity/users/groups-dynamic-membership.md,
 * "Rules for devices"), with the value each has for a device this simulator enrolls. These are Entra's
 * names and Entra's values (deviceOwnership is "Company", not Intune's "Corporate"); Intune filters have
 * their own (intune/filterProperties.ts).
 */
export type MembershipValueType = 'string' | 'boolean' | 'stringCollection';

export interface MembershipProperty {
  name: string;
  type: MembershipValueType;
  read: (device: TargetDevice) => string | boolean | readonly string[] | null;
}

/** Microsoft Intune's application id in Entra (the reference's deviceManagementAppId example). */
const INTUNE_APP_ID = '0000000a-0000-0000-c000-000000000000';

const extensionAttributes: MembershipProperty[] = Array.from({ length: 15 }, (_, i) => ({
  name: `extensionAttribute${i + 1}`,
  type: 'string',
  read: () => null,
}));

export const MEMBERSHIP_PROPERTIES: readonly MembershipProperty[] = [
  { name: 'accountEnabled', type: 'boolean', read: () => true },
  { name: 'deviceCategory', type: 'string', read: () => null },
  { name: 'deviceId', type: 'string', read: (device) => device.id },
  { name: 'deviceManagementAppId', type: 'string', read: () => INTUNE_APP_ID },
  { name: 'deviceManufacturer', type: 'string', read: (device) => device.manufacturer },
  { name: 'deviceModel', type: 'string', read: (device) => device.model },
  { name: 'displayName', type: 'string', read: (device) => device.deviceName },
  // The reference's own examples test "AndroidEnterprise" (startsWith) and "AndroidForWork"; which exact
  // string Entra holds for each Android mode is not documented, so AOSP devices get "AndroidAOSP".
  {
    name: 'deviceOSType',
    type: 'string',
    read: (device) =>
      device.platform === 'androidAOSP' ? 'AndroidAOSP' : device.platform ? 'AndroidEnterprise' : null,
  },
  { name: 'deviceOSVersion', type: 'string', read: (device) => device.osVersion },
  // "you need to set the value equal to Company": every simulated device is corporate-owned.
  { name: 'deviceOwnership', type: 'string', read: () => 'Company' },
  // Autopilot identifiers ([ZTDId], [OrderID], [PurchaseOrderId]); an Android device has none.
  { name: 'devicePhysicalIds', type: 'stringCollection', read: () => [] },
  // AzureAD, ServerAD or Workplace: Android devices are Entra registered (Workplace).
  { name: 'deviceTrustType', type: 'string', read: () => 'Workplace' },
  { name: 'enrollmentProfileName', type: 'string', read: (device) => device.enrollmentProfileName },
  ...extensionAttributes,
  { name: 'isRooted', type: 'boolean', read: () => false },
  { name: 'managementType', type: 'string', read: () => 'MDM' },
  { name: 'objectId', type: 'string', read: (device) => device.id },
  { name: 'profileType', type: 'string', read: () => 'RegisteredDevice' },
  // Read-only labels Intune sets for Modern Workplace devices; none on simulated devices.
  { name: 'systemLabels', type: 'stringCollection', read: () => [] },
];
