import { z } from 'zod';
import { deviceIdentitySchema } from '../protocol/enrollment';

/** A simulated device's hardware and surroundings: what a QA engineer picks when staging one. */
export const deviceProfileSchema = deviceIdentitySchema.extend({
  /** A Wi-Fi network the device can join is in range. */
  wifiInRange: z.boolean().default(true),
  /** Mobile data works (a SIM with data). Android 10+ uses it for enrollment only when the QR code allows it. */
  cellular: z.boolean().default(true),
});
export type DeviceProfile = z.infer<typeof deviceProfileSchema>;
export type DeviceProfileInput = z.input<typeof deviceProfileSchema>;

export const DEFAULT_DEVICE: DeviceProfileInput = {
  serialNumber: 'XX1234',
  manufacturer: 'Google',
  model: 'Pixel 8',
  osVersion: '14',
};

/** Rugged and consumer devices that frontline staging typically sees; harness runs spread over them. */
export const SAMPLE_HARDWARE = [
  { manufacturer: 'Samsung', model: 'Galaxy XCover6 Pro' },
  { manufacturer: 'Zebra Technologies', model: 'TC58' },
  { manufacturer: 'Google', model: 'Pixel 8' },
  { manufacturer: 'Honeywell', model: 'CT47' },
] as const;
