import type { EnrollmentMode } from '../../../agent/protocol/enrollment';
import type { DeviceRecord } from '../store/repository';
import { devicePlatformOf, type FilterPlatform } from './platforms';

/**
 * What Intune knows about a managed device when it evaluates a filter or Entra a membership rule. One
 * record feeds both languages; each reads the facts under its own property names (intune/filterProperties.ts,
 * entra/membershipProperties.ts). null is a fact Intune does not have for the device.
 */
export interface TargetDevice {
  id: string;
  platform: FilterPlatform | null;
  enrollmentMode: EnrollmentMode | null;
  deviceName: string | null;
  manufacturer: string;
  model: string;
  osVersion: string;
  enrollmentProfileName: string | null;
  serialNumber: string;
}

export function targetDeviceOf(
  device: Pick<
    DeviceRecord,
    | 'id'
    | 'enrollmentMode'
    | 'deviceName'
    | 'manufacturer'
    | 'model'
    | 'osVersion'
    | 'profileName'
    | 'serialNumber'
  >,
): TargetDevice {
  return {
    id: device.id,
    platform: devicePlatformOf(device.enrollmentMode),
    enrollmentMode: device.enrollmentMode,
    deviceName: device.deviceName,
    manufacturer: device.manufacturer,
    model: device.model,
    osVersion: device.osVersion,
    enrollmentProfileName: device.profileName,
    serialNumber: device.serialNumber,
  };
}
