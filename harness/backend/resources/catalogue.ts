/**
 * The Intune resources that can be assigned and delivered, as Graph beta has them: three entity sets
 * and, in each, the Android Enterprise subtypes for corporate-owned devices (fully managed, dedicated
 * and corporate-owned work profile are Graph's "androidDeviceOwner" family; device staging enrolls the
 * first and the last). The subtypes are the ones @microsoft/microsoft-graph-types-beta derives from each
 * base type for that family, each with its page in the Graph beta reference
 * (microsoftgraph/microsoft-graph-docs-contrib, api-reference/beta/resources/intune-*.md).
 *
 * Assign actions differ per set, as the reference documents them:
 *   deviceConfigurations/{id}/assign      {"assignments": [deviceConfigurationAssignment]}       200 {value}
 *   deviceCompliancePolicies/{id}/assign  {"assignments": [deviceCompliancePolicyAssignment]}    200 {value}
 *   mobileApps/{id}/assign                {"mobileAppAssignments": [mobileAppAssignment]}        204
 */

import type { FilterPlatform } from '../targeting/platforms';

export type ResourceKind = 'deviceConfiguration' | 'deviceCompliancePolicy' | 'mobileApp';

export interface ResourceCollection {
  kind: ResourceKind;
  path: string;
  /** What a person calls one, in error messages. */
  noun: string;
  /**
   * The platform of every subtype here (the filter platform an assignment's filter must fit): the
   * androidDeviceOwner types and managed Google Play apps are Android Enterprise's.
   */
  platform: FilterPlatform;
  /** The .d.ts interface of the base type (its properties are every subtype's too). */
  baseInterface: string;
  /** Graph type names (without "#microsoft.graph.") that can be created here. */
  subtypes: readonly string[];
  assignBodyKey: 'assignments' | 'mobileAppAssignments';
  assignmentType: string;
  /** 200 with the new assignments, or 204 (mobileApps). */
  assignAnswersList: boolean;
  /**
   * Relationships: Graph reaches them through their own routes (assign, assignments, statuses), so a
   * body that carries them is refused rather than stored.
   */
  relationships: readonly string[];
}

export const GRAPH_NAMESPACE = '#microsoft.graph.';

export const COLLECTIONS: Record<ResourceKind, ResourceCollection> = {
  deviceConfiguration: {
    kind: 'deviceConfiguration',
    path: '/beta/deviceManagement/deviceConfigurations',
    noun: 'device configuration',
    platform: 'androidForWork',
    baseInterface: 'DeviceConfiguration',
    subtypes: [
      'androidDeviceOwnerGeneralDeviceConfiguration',
      'androidDeviceOwnerWiFiConfiguration',
      'androidDeviceOwnerEnterpriseWiFiConfiguration',
      'androidDeviceOwnerTrustedRootCertificate',
      'androidDeviceOwnerScepCertificateProfile',
      'androidDeviceOwnerPkcsCertificateProfile',
      'androidDeviceOwnerImportedPFXCertificateProfile',
      'androidDeviceOwnerDerivedCredentialAuthenticationConfiguration',
      'androidDeviceOwnerVpnConfiguration',
    ],
    assignBodyKey: 'assignments',
    assignmentType: '#microsoft.graph.deviceConfigurationAssignment',
    assignAnswersList: true,
    relationships: [
      'assignments',
      'deviceSettingStateSummaries',
      'deviceStatuses',
      'deviceStatusOverview',
      'groupAssignments',
      'userStatuses',
      'userStatusOverview',
    ],
  },
  deviceCompliancePolicy: {
    kind: 'deviceCompliancePolicy',
    path: '/beta/deviceManagement/deviceCompliancePolicies',
    noun: 'compliance policy',
    platform: 'androidForWork',
    baseInterface: 'DeviceCompliancePolicy',
    subtypes: ['androidDeviceOwnerCompliancePolicy'],
    assignBodyKey: 'assignments',
    assignmentType: '#microsoft.graph.deviceCompliancePolicyAssignment',
    assignAnswersList: true,
    // scheduledActionsForRule is a relationship too, but Graph takes it inline on create (the admin
    // center always sends the "mark noncompliant" action with a new policy): it is stored as sent.
    relationships: [
      'assignments',
      'deviceSettingStateSummaries',
      'deviceStatuses',
      'deviceStatusOverview',
      'userStatuses',
      'userStatusOverview',
    ],
  },
  mobileApp: {
    kind: 'mobileApp',
    path: '/beta/deviceAppManagement/mobileApps',
    noun: 'app',
    platform: 'androidForWork',
    baseInterface: 'MobileApp',
    subtypes: ['androidManagedStoreApp', 'androidManagedStoreWebApp'],
    assignBodyKey: 'mobileAppAssignments',
    assignmentType: '#microsoft.graph.mobileAppAssignment',
    assignAnswersList: false,
    relationships: ['assignments', 'categories', 'relationships'],
  },
};

export const RESOURCE_KINDS = Object.keys(COLLECTIONS) as ResourceKind[];

/** The Graph type name of a set's base type: DeviceConfiguration -> deviceConfiguration. */
export function baseTypeName(collection: ResourceCollection): string {
  return collection.baseInterface.charAt(0).toLowerCase() + collection.baseInterface.slice(1);
}

/** The .d.ts interface name of a Graph type name: androidManagedStoreApp -> AndroidManagedStoreApp. */
export function interfaceName(graphType: string): string {
  return graphType.charAt(0).toUpperCase() + graphType.slice(1);
}
