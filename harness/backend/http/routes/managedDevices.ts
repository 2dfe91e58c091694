import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DeviceRecord } from '../../store/repository';
import { deviceDeliveries } from '../../targeting/deliveries';
import { notFound, parseWith } from '../graphError';
import { parseODataFilter } from '../odataFilter';
import { ID_PATTERN, iso, type RouteDeps } from '../routeDeps';

export const MANAGED_DEVICES_PATH = '/beta/deviceManagement/managedDevices';
const PAGE_SIZE = 1000;

const ENROLLMENT_TYPES: Record<string, string> = {
  corporateOwnedFullyManaged: 'androidEnterpriseFullyManaged',
  corporateOwnedWorkProfile: 'androidEnterpriseCorporateWorkProfile',
};

/**
 * Graph's managedDevice, plus simulator fields (Graph has none for these): simulatorEnrollmentStage,
 * simulatorTokenType, simulatorEnrollmentProfileId, simulatorUserEnrolledDateTime and
 * simulatorDeliveredResources (the configuration profiles, compliance policies and apps whose
 * assignments reached the device when its stage was recorded, named as Graph names them, apps with the
 * intent that won) and, from it, simulatorDeliveredPolicies / simulatorDeliveredApps (the names the
 * device was told: every policy, the apps it installs). userPrincipalName is empty while the device is userless, as Graph shows it.
 */
export function managedDeviceView(device: DeviceRecord) {
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
    userPrincipalName: device.upn ?? '',
    emailAddress: device.upn ?? '',
    userDisplayName: device.upn ? device.upn.split('@')[0]! : '',
    enrolledDateTime: device.enrolledAt === null ? null : iso(device.enrolledAt),
    lastSyncDateTime: iso(device.lastChangeAt),
    enrollmentProfileName: device.profileName ?? '',
    deviceEnrollmentType: (device.enrollmentMode && ENROLLMENT_TYPES[device.enrollmentMode]) ?? 'unknown',
    managedDeviceOwnerType: 'company',
    ownerType: 'company',
    managementAgent: 'googleCloudDevicePolicyController',
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
    })),
  };
}

const FILTERABLE = [
  'id',
  'deviceName',
  'managedDeviceName',
  'serialNumber',
  'manufacturer',
  'model',
  'osVersion',
  'userPrincipalName',
  'enrollmentProfileName',
  'deviceEnrollmentType',
  'simulatorEnrollmentStage',
] as const;

const querySchema = z.object({
  $filter: z.string().max(4096).optional(),
  $top: z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= PAGE_SIZE, `expected 1 to ${PAGE_SIZE}`)
    .optional(),
  $skiptoken: z.string().regex(/^\d+$/, 'not a token this service issued').transform(Number).optional(),
});

/** "serialNumber eq 'XX1234'", the lookup harnesses make after every step: answered without a scan. */
const SERIAL_LOOKUP = /^\s*serialNumber\s+eq\s+'((?:[^']|'')*)'\s*$/i;

export function registerManagedDeviceRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get(MANAGED_DEVICES_PATH, async (request) => {
    const query = parseWith(querySchema, request.query, 'query');
    const predicate = query.$filter === undefined ? null : parseODataFilter(query.$filter, FILTERABLE);
    // Serial numbers are ASCII, so SQLite's NOCASE finds every device the predicate can match.
    const serial =
      query.$filter === undefined ? null : SERIAL_LOOKUP.exec(query.$filter)?.[1]?.replace(/''/g, "'");
    const top = query.$top ?? PAGE_SIZE;
    const skip = query.$skiptoken ?? 0;
    // One more than the page: whether there is a next page, without reading (or rendering) the rest.
    let views: ReturnType<typeof managedDeviceView>[];
    if (predicate) {
      const devices = serial
        ? deps.store.listManagedDevicesBySerial(serial)
        : deps.store.listManagedDevices();
      views = [];
      for (const device of devices) {
        const view = managedDeviceView(device);
        if (predicate(view as unknown as Record<string, string>) && views.push(view) > skip + top) break;
      }
      views = views.slice(skip);
    } else {
      views = deps.store.listManagedDevicesPage(skip, top + 1).map(managedDeviceView);
    }
    const result: Record<string, unknown> = { value: views.slice(0, top) };
    if (views.length > top) {
      const next = new URLSearchParams();
      if (query.$filter !== undefined) next.set('$filter', query.$filter);
      if (query.$top !== undefined) next.set('$top', String(query.$top));
      next.set('$skiptoken', String(skip + top));
      result['@odata.nextLink'] =
        `${request.protocol}://${request.host}${MANAGED_DEVICES_PATH}?${next.toString()}`;
    }
    return result;
  });

  app.get<{ Params: { id: string } }>(`${MANAGED_DEVICES_PATH}/:id`, async (request) => {
    const { id } = request.params;
    const device = ID_PATTERN.test(id) ? deps.store.getDevice(id) : undefined;
    if (!device || !device.managed) throw notFound(`no managedDevice with id ${id}`);
    return managedDeviceView(device);
  });
}
