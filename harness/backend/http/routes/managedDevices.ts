import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { DeviceRecord } from '../../store/repository';
import { notFound } from '../graphError';
import type { EntitySet } from '../odata/entitySet';
import { readQueryOptions } from '../odata/query';
import { answerCollection, answerEntity } from '../odata/respond';
import { deviceDeliveries } from '../../targeting/deliveries';
import { ID_PATTERN, iso, type RouteDeps } from '../routeDeps';

export const MANAGED_DEVICES_PATH = '/beta/deviceManagement/managedDevices';

const ENROLLMENT_TYPES: Record<string, string> = {
  corporateOwnedFullyManaged: 'androidEnterpriseFullyManaged',
  corporateOwnedWorkProfile: 'androidEnterpriseCorporateWorkProfile',
};

/** Graph's "no such object" GUID: what managedDevice shows as azureADDeviceId before Entra registration. */
const NO_DEVICE_ID = '00000000-0000-0000-0000-000000000000';

/** A stable GUID for a name: the same user or device always gets the same Entra object id. */
function guidFor(kind: string, name: string): string {
  const hex = createHash('sha256').update(`${kind}:${name.toLowerCase()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Graph's managedDevice, plus simulator fields (Graph has none for these): simulatorEnrollmentStage,
 * simulatorTokenType, simulatorEnrollmentProfileId, simulatorUserEnrolledDateTime and
 * simulatorDeliveredResources (the configuration profiles, compliance policies and apps whose
 * assignments reached the device when its stage was recorded, named as Graph names them, apps with the
 * intent that won) and, from it, simulatorDeliveredPolicies / simulatorDeliveredApps (the names the
 * device was told: every policy, the apps it installs). While the device is userless its user fields are
 * empty strings, as Graph shows them, and it is not registered in Entra yet: azureADRegistered false and
 * the all-zero azureADDeviceId. The user's sign-in (the enrolled stage) registers it.
 */
export function managedDeviceView(device: DeviceRecord) {
  const upn = device.upn ?? '';
  const registered = device.upn !== null;
  const delivered = deviceDeliveries(device.deliveries);
  return {
    '@odata.type': '#microsoft.graph.managedDevice',
    id: device.id,
    deviceName: device.deviceName ?? '',
    managedDeviceName: device.managedName ?? '',
    serialNumber: device.serialNumber,
    imei: '',
    manufacturer: device.manufacturer,
    model: device.model,
    operatingSystem: 'Android',
    osVersion: device.osVersion,
    deviceType: 'androidEnterprise',
    userId: registered ? guidFor('user', upn) : '',
    userPrincipalName: upn,
    emailAddress: upn,
    userDisplayName: registered ? upn.split('@')[0]! : '',
    enrolledByUserPrincipalName: '',
    enrolledDateTime: iso(device.enrolledAt ?? device.lastChangeAt),
    lastSyncDateTime: iso(device.lastChangeAt),
    enrollmentProfileName: device.profileName ?? '',
    deviceEnrollmentType: (device.enrollmentMode && ENROLLMENT_TYPES[device.enrollmentMode]) ?? 'unknown',
    managementState: 'managed',
    complianceState: 'compliant',
    deviceRegistrationState: 'registered',
    azureADRegistered: registered,
    azureADDeviceId: registered ? guidFor('device', device.id) : NO_DEVICE_ID,
    joinType: registered ? 'azureADRegistered' : 'unknown',
    managedDeviceOwnerType: 'company',
    ownerType: 'company',
    managementAgent: 'googleCloudDevicePolicyController',
    isSupervised: false,
    exchangeAccessState: 'none',
    deviceCategoryDisplayName: 'Unknown',
    roleScopeTagIds: ['0'],
    simulatorEnrollmentStage: device.stage,
    simulatorTokenType: device.flow,
    simulatorEnrollmentProfileId: device.profileId,
    simulatorUserEnrolledDateTime: device.userEnrolledAt === null ? null : iso(device.userEnrolledAt),
    simulatorDeliveredPolicies: delivered.policies,
    simulatorDeliveredApps: delivered.apps,
    simulatorDeliveredResources: (device.deliveries ?? []).map((resource) => ({
      '@odata.type': resource.odataType,
      id: resource.id,
      displayName: resource.displayName,
      ...(resource.intent === null ? {} : { intent: resource.intent }),
      // Which of the resource's assignments reached the device (the admin console shows them).
      assignmentIds: resource.assignmentIds ?? [],
    })),
  };
}

export type ManagedDeviceView = ReturnType<typeof managedDeviceView>;

const SAMPLE = managedDeviceView({
  id: '',
  serialNumber: '',
  manufacturer: '',
  model: '',
  osVersion: '',
  registeredAt: 0,
  stage: null,
  flow: null,
  tokenId: null,
  profileId: null,
  profileName: null,
  enrollmentMode: null,
  deviceNameTemplate: null,
  nameRandom: null,
  signedInUpn: null,
  upn: null,
  enrolledAt: null,
  userEnrolledAt: null,
  managedName: null,
  deviceName: null,
  deliveries: null,
  lastChangeAt: 0,
  managed: true,
  lastReply: null,
});

export const MANAGED_DEVICES: EntitySet = {
  path: 'deviceManagement/managedDevices',
  type: 'microsoft.graph.managedDevice',
  properties: Object.keys(SAMPLE).filter((key) => !key.startsWith('@')),
  filterable: {
    id: 'string',
    deviceName: 'string',
    managedDeviceName: 'string',
    serialNumber: 'string',
    imei: 'string',
    manufacturer: 'string',
    model: 'string',
    operatingSystem: 'string',
    osVersion: 'string',
    deviceType: 'enum',
    userId: 'string',
    userPrincipalName: 'string',
    emailAddress: 'string',
    userDisplayName: 'string',
    azureADDeviceId: 'string',
    enrolledDateTime: 'dateTime',
    lastSyncDateTime: 'dateTime',
    enrollmentProfileName: 'string',
    deviceEnrollmentType: 'enum',
    managementState: 'enum',
    complianceState: 'enum',
    managementAgent: 'enum',
    ownerType: 'enum',
    managedDeviceOwnerType: 'enum',
    azureADRegistered: 'boolean',
    simulatorEnrollmentStage: 'enum',
    simulatorTokenType: 'enum',
    simulatorUserEnrolledDateTime: 'dateTime',
  },
  sortable: [
    'deviceName',
    'managedDeviceName',
    'serialNumber',
    'manufacturer',
    'model',
    'osVersion',
    'userPrincipalName',
    'userDisplayName',
    'enrolledDateTime',
    'lastSyncDateTime',
    'complianceState',
    'enrollmentProfileName',
  ],
  maxPageSize: 1000,
  count: true,
};

/** "serialNumber eq 'XX1234'", the lookup harnesses make after every step: answered without a scan. */
const SERIAL_LOOKUP = /^\s*serialNumber\s+eq\s+'((?:[^']|'')*)'\s*$/i;

export function registerManagedDeviceRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get(MANAGED_DEVICES_PATH, async (request) => {
    const options = readQueryOptions(MANAGED_DEVICES, request.query, 'collection');
    // Serial numbers are ASCII, so SQLite's NOCASE finds every device the predicate can match.
    const serial = options.filterText && SERIAL_LOOKUP.exec(options.filterText)?.[1]?.replace(/''/g, "'");
    return answerCollection(
      request,
      MANAGED_DEVICES,
      {
        all: () =>
          (serial ? deps.store.listManagedDevicesBySerial(serial) : deps.store.listManagedDevices()).map(
            managedDeviceView,
          ),
        page: (offset, limit) => deps.store.listManagedDevicesPage(offset, limit).map(managedDeviceView),
      },
      options,
    );
  });

  app.get<{ Params: { id: string } }>(`${MANAGED_DEVICES_PATH}/:id`, async (request) => {
    const { id } = request.params;
    const device = ID_PATTERN.test(id) ? deps.store.getDevice(id) : undefined;
    if (!device || !device.managed) throw notFound(`no managedDevice with id ${id}`);
    return answerEntity(request, MANAGED_DEVICES, () => managedDeviceView(device));
  });
}
