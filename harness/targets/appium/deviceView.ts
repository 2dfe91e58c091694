import { z } from 'zod';
import type { DeviceView } from '../../../agent/device/SimulatedDevice';
import { deviceEventTypes, type DeviceEventType } from '../../../agent/model/events';
import { actorSchema, modelStageSchema } from '../../../agent/model/meta';
import { deliveriesSchema } from '../../../agent/protocol/enrollment';

/**
 * The stagesim driver's `mobile: stagesimDeviceView` answer, checked on arrival: the same DeviceView the
 * headless device gives, from the device model behind the simulated screen.
 */
export const deviceViewSchema = z.object({
  serialNumber: z.string(),
  state: z.string().min(1),
  screen: z.object({ id: z.string(), title: z.string(), appPackage: z.string() }),
  stage: modelStageSchema,
  actor: actorSchema,
  userless: z.boolean(),
  poweredOff: z.boolean(),
  error: z.boolean(),
  errorReason: z.string().nullable(),
  errorMessage: z.string().nullable(),
  upn: z.string().nullable(),
  flow: z.enum(['staging', 'default']).nullable(),
  mode: z.string().nullable(),
  recordedStage: z.string().nullable(),
  deviceName: z.string().nullable(),
  deliveries: deliveriesSchema.nullable(),
  wifiConnected: z.boolean(),
  elements: z.array(
    z.object({
      key: z.string(),
      kind: z.enum(['button', 'input', 'text', 'image']),
      label: z.string(),
      action: z.enum(deviceEventTypes as [DeviceEventType, ...DeviceEventType[]]).optional(),
      reads: z.string().optional(),
      value: z.string(),
    }),
  ),
});

// The wire form must stay the device's own view: this line stops compiling when they drift apart.
const sameShape = (view: z.infer<typeof deviceViewSchema>): DeviceView => view;
void sameShape;

export const driverViewReplySchema = z.object({
  view: deviceViewSchema,
  historyMark: z.number().int().min(0),
});
