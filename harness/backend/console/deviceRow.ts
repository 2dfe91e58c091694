/**
 * One row of the console's devices report: built by deviceReport.ts, drawn by the console's devices
 * page. In a module of its own, with no imports, so the browser code can take the type without
 * the backend's Node types.
 */
export interface DeviceRow {
  serialNumber: string;
  managedDeviceId: string | null;
  /** The report name (Staging_…, then the user's), or the serial number before stage 2. */
  name: string;
  stage: string;
  profile: string | null;
  user: string | null;
  mode: string | null;
  /** ISO time of the last recorded transition (or of the last state report, for a device with none). */
  lastTransition: string | null;
  delivered: { policies: string[]; apps: string[] };
  /** Where the device's model is, as it last reported; null when it never reported. */
  modelState: string | null;
  screenTitle: string | null;
}
