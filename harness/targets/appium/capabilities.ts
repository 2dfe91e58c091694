import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { StagesimError } from '../../../agent/errors';
import type { DeviceProfile } from '../../../agent/device/deviceProfile';

/**
 * The capabilities of the Appium target: a capabilities file (`--capabilities FILE`, a plain W3C
 * capabilities object as in emulator-scripts/capabilities/), plus what each device session adds: its own
 * `appium:systemPort`, and for the stagesim driver the device the harness asked for and its backend.
 *
 * Error code: CAPABILITIES_INVALID (the file, and the key at fault).
 */
export const STAGESIM_AUTOMATION = 'StagesimDevice';
export const DEFAULT_SYSTEM_PORT = 8200;

const W3C_STANDARD = new Set([
  'browserName',
  'browserVersion',
  'platformName',
  'acceptInsecureCerts',
  'pageLoadStrategy',
  'proxy',
  'setWindowRect',
  'timeouts',
  'strictFileInteractability',
  'unhandledPromptBehavior',
  'webSocketUrl',
]);

function placeholders(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(...(value.match(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g) ?? []));
  else if (Array.isArray(value)) value.forEach((item) => placeholders(item, out));
  else if (value && typeof value === 'object')
    Object.values(value).forEach((item) => placeholders(item, out));
  return out;
}

export const capabilitiesSchema = z
  .record(z.string(), z.unknown(), { error: 'expected a JSON object of capabilities' })
  .superRefine((caps, ctx) => {
    for (const key of Object.keys(caps)) {
      // Appium refuses a non-standard capability without a vendor prefix; say so before it does.
      if (!W3C_STANDARD.has(key) && !/^[A-Za-z][\w-]*:[A-Za-z][\w.-]*$/.test(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `not a W3C capability; vendor capabilities need a prefix, e.g. "appium:${key}"`,
        });
      }
    }
    if (
      caps.platformName !== undefined &&
      (typeof caps.platformName !== 'string' || caps.platformName.toLowerCase() !== 'android')
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['platformName'],
        message: 'expected "Android" (stagesim enrolls Android devices)',
      });
    }
    const automation = caps['appium:automationName'];
    if (automation !== undefined && typeof automation !== 'string')
      ctx.addIssue({
        code: 'custom',
        path: ['appium:automationName'],
        message: 'expected a string, e.g. UiAutomator2',
      });
    const port = caps['appium:systemPort'];
    if (
      port !== undefined &&
      !(Number.isInteger(port) && (port as number) >= 1024 && (port as number) <= 65000)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['appium:systemPort'],
        message: 'expected a port number between 1024 and 65000',
      });
    }
    const unfilled = [...new Set(placeholders(caps))];
    if (unfilled.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${unfilled.join(', ')} not filled in: set the environment variable(s) and let emulator-scripts/run-suite.sh fill the file, or write the values`,
      });
    }
  });
export type Capabilities = z.infer<typeof capabilitiesSchema>;

export function parseCapabilities(json: unknown, where: string): Capabilities {
  const parsed = capabilitiesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StagesimError(
      'CAPABILITIES_INVALID',
      `${where}: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
    );
  }
  return parsed.data;
}

export function loadCapabilitiesFile(path: string): Capabilities {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StagesimError(
      'CAPABILITIES_INVALID',
      `${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StagesimError('CAPABILITIES_INVALID', `${path}: not valid JSON: ${(error as Error).message}`);
  }
  return parseCapabilities(json, path);
}

export function usesStagesimDriver(caps: Capabilities): boolean {
  const automation = caps['appium:automationName'];
  return automation === undefined || String(automation).toLowerCase() === STAGESIM_AUTOMATION.toLowerCase();
}

/**
 * One device's session capabilities: the file's, a distinct systemPort per concurrent session (the
 * UiAutomator2 server of each device needs its own host port), and for the stagesim driver the device
 * profile and the backend it talks to.
 */
export function sessionCapabilities(
  base: Capabilities,
  slot: number,
  device: { profile: DeviceProfile; backendUrl: string },
): Capabilities {
  const basePort =
    typeof base['appium:systemPort'] === 'number' ? base['appium:systemPort'] : DEFAULT_SYSTEM_PORT;
  const caps: Capabilities = {
    platformName: 'Android',
    'appium:automationName': STAGESIM_AUTOMATION,
    ...base,
    'appium:systemPort': basePort + slot,
  };
  if (!usesStagesimDriver(base)) return caps;
  const { profile } = device;
  return {
    ...caps,
    'appium:platformVersion': profile.osVersion,
    'stagesim:backendUrl': device.backendUrl,
    'stagesim:serialNumber': profile.serialNumber,
    'stagesim:manufacturer': profile.manufacturer,
    'stagesim:model': profile.model,
    'stagesim:wifiInRange': profile.wifiInRange,
    'stagesim:cellular': profile.cellular,
  };
}
