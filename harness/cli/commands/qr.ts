import { readFileSync, writeFileSync } from 'node:fs';
import { scanProvisioningQr } from '../../../agent/camera/decodeCameraFrame';
import { isStagesimError } from '../../../agent/errors';
import {
  buildProvisioningPayload,
  serializeProvisioningPayload,
  wifiSecurityTypeSchema,
  type WifiOptions,
} from '../../../agent/provisioning/payload';
import { normalizeTypedToken } from '../../../agent/provisioning/tokenEntry';
import { renderQrPng } from '../../backend/qr/renderQrPng';
import { UsageError } from '../exit';
import type { RegisterCommand } from './index';

interface EncodeOptions {
  token: string;
  out: string;
  wifiSsid?: string;
  wifiPassword?: string;
  wifiSecurity?: string;
  wifiHidden?: boolean;
  mobileData?: boolean;
}

/** Library errors become one line on stderr and exit 2, with the stable code for scripts to match. */
function asUsageError(error: unknown, context: string): never {
  if (isStagesimError(error)) throw new UsageError(`${context}: ${error.message} (${error.code})`);
  throw error;
}

function wifiFrom(options: EncodeOptions): WifiOptions | undefined {
  const { wifiSsid: ssid, wifiPassword: password, wifiSecurity, wifiHidden: hidden } = options;
  if (ssid === undefined) {
    if (password !== undefined || wifiSecurity !== undefined || hidden)
      throw new UsageError('--wifi-password, --wifi-security and --wifi-hidden need --wifi-ssid');
    return undefined;
  }
  // Without --wifi-security, a password means a WPA network and no password an open one.
  const security = wifiSecurityTypeSchema.safeParse(
    (wifiSecurity ?? (password === undefined ? 'NONE' : 'WPA')).toUpperCase(),
  );
  if (!security.success)
    throw new UsageError(
      `--wifi-security must be one of ${wifiSecurityTypeSchema.options.join(', ')}, got "${wifiSecurity}"`,
    );
  return {
    ssid,
    security: security.data,
    ...(password === undefined ? {} : { password }),
    ...(hidden ? { hidden } : {}),
  };
}

function encode(options: EncodeOptions): void {
  let png: Buffer;
  try {
    const token = normalizeTypedToken(options.token);
    const payload = buildProvisioningPayload({
      token,
      wifi: wifiFrom(options),
      ...(options.mobileData ? { useMobileData: true } : {}),
    });
    // The very PNG the backend serves as qrCodeImage.
    png = renderQrPng(serializeProvisioningPayload(payload));
  } catch (error) {
    asUsageError(error, 'cannot encode');
  }
  try {
    writeFileSync(options.out, png);
  } catch (error) {
    throw new UsageError(`cannot write ${options.out}: ${(error as Error).message}`);
  }
  process.stdout.write(`wrote ${options.out}\n`);
}

async function decode(file: string): Promise<void> {
  let png: Buffer;
  try {
    png = readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    process.stdout.write(`${JSON.stringify(await scanProvisioningQr(png), null, 2)}\n`);
  } catch (error) {
    asUsageError(error, file);
  }
}

export const registerQr: RegisterCommand = (program) => {
  const qr = program
    .command('qr')
    .description('make and read Android Enterprise provisioning QR codes (PNG)');

  qr.command('encode')
    .description('write the provisioning QR code the backend would show for a token')
    .requiredOption('--token <token>', 'enrollment token (case, spaces and dashes are ignored)')
    .requiredOption('--out <file.png>', 'PNG file to write')
    .option('--wifi-ssid <ssid>', 'Wi-Fi network the device joins first')
    .option('--wifi-password <password>', 'Wi-Fi password')
    .option('--wifi-security <type>', 'NONE, WPA, WEP or EAP (default: WPA with a password, NONE without)')
    .option('--wifi-hidden', 'the network does not broadcast its SSID')
    .option('--mobile-data', 'allow mobile data for the DPC download (PROVISIONING_USE_MOBILE_DATA)')
    .action((options: EncodeOptions) => encode(options));

  qr.command('decode')
    .description('read a provisioning QR code from a PNG camera frame and print its JSON')
    .argument('<file.png>', 'PNG image holding the code')
    .action((file: string) => decode(file));
};
