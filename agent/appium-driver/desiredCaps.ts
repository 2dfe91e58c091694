import { z } from 'zod';
import { channelUrlOf } from '../channel/DeviceChannelClient';
import { DEFAULT_DEVICE } from '../device/deviceProfile';
import { deviceIdentitySchema } from '../protocol/enrollment';

/**
 * The capabilities of a stagesim session. Appium's own constraints only name them (so Appium does not
 * warn about unknown capabilities); the zod schema below is what checks them, with one readable line
 * per problem in the session-creation error.
 */
export const desiredCapConstraints = {
  platformName: { presence: true, isString: true, inclusionCaseInsensitive: ['Android'] },
  automationName: { presence: true, isString: true, inclusionCaseInsensitive: ['StagesimDevice'] },
  platformVersion: {},
  systemPort: {},
  'stagesim:backendUrl': {},
  'stagesim:serialNumber': {},
  'stagesim:manufacturer': {},
  'stagesim:model': {},
  'stagesim:wifiInRange': {},
  'stagesim:cellular': {},
} as const;
export type StagesimConstraints = typeof desiredCapConstraints;

const backendUrlSchema = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'required: the URL of the stagesim backend, e.g. http://127.0.0.1:8080'
        : 'expected a URL string',
  })
  .superRefine((value, ctx) => {
    try {
      channelUrlOf(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** The capabilities after Appium processed them (the `appium:` prefix is gone: `appium:platformVersion` is `platformVersion`). */
export const sessionCapsSchema = z.looseObject({
  'stagesim:backendUrl': backendUrlSchema,
  'stagesim:serialNumber': deviceIdentitySchema.shape.serialNumber.default(DEFAULT_DEVICE.serialNumber),
  'stagesim:manufacturer': deviceIdentitySchema.shape.manufacturer.default(DEFAULT_DEVICE.manufacturer),
  'stagesim:model': deviceIdentitySchema.shape.model.default(DEFAULT_DEVICE.model),
  /** The Android release, as UiAutomator2 takes it ("14", "13.0"). */
  platformVersion: deviceIdentitySchema.shape.osVersion.default(DEFAULT_DEVICE.osVersion),
  'stagesim:wifiInRange': z.boolean().default(true),
  'stagesim:cellular': z.boolean().default(true),
});
export type SessionCaps = z.output<typeof sessionCapsSchema>;

/** All problems of the capabilities, one per line, named by capability (with the prefix the client used). */
export function describeCapsProblems(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const key = String(issue.path[0] ?? '(capabilities)');
      const name = key === 'platformVersion' ? 'appium:platformVersion' : key;
      return `${name}: ${issue.message}`;
    })
    .join('; ');
}
