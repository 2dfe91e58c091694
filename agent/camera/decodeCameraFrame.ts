import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { StagesimError } from '../errors';
import { parseProvisioningPayload, type ProvisioningPayload } from '../provisioning/payload';
import { inflatedSize, inspectPng, type PngInfo } from './pngInspect';
import { readQrCodes, type RgbaPixels } from './zxingReader';

/**
 * The simulated device's camera: reads the QR code in a PNG camera frame.
 *
 * The frame's structure and size are checked first (pngInspect), then its image data is inflated once
 * with a bound, and only then does ZXing (zxingReader) decode the PNG and find, sample and correct the
 * code. The bounded inflate is the guard ZXing lacks: its PNG reader grows its output buffer as the data
 * demands, so a small file of highly compressed zeros (a decompression bomb) would inflate to gigabytes
 * inside the WebAssembly heap, which never shrinks. Here it fails in the time it takes to inflate the
 * size the header announces.
 *
 * Error codes: those of pngInspect (FRAME_NOT_PNG, FRAME_TRUNCATED, FRAME_CORRUPT, FRAME_TOO_LARGE),
 * FRAME_CORRUPT for image data that is damaged or larger than its header allows, QR_NOT_FOUND, and for
 * scanProvisioningQr those of parseProvisioningPayload.
 */

export interface Point {
  x: number;
  y: number;
}

export interface CameraScan {
  /** The text the code holds. */
  text: string;
  /** QR version (1-40): the code has 17 + 4 * version modules a side. */
  version: number;
  /** The code's corners in the frame, in pixels. */
  corners: { topLeft: Point; topRight: Point; bottomRight: Point; bottomLeft: Point };
  /** True for a light code on a dark background. */
  inverted: boolean;
  frame: { width: number; height: number };
}

export async function decodeCameraFrame(png: Buffer): Promise<CameraScan> {
  const info = inspectPng(png);
  checkImageData(info);
  // Most frames with an alpha channel are opaque, and ZXing reads them as they are; only when that finds
  // nothing is the frame composited over white, which costs a full decode in JavaScript.
  let [code] = await readQrCodes(png);
  if (!code && hasAlpha(info)) [code] = await readQrCodes(overWhite(png));
  if (!code) {
    throw new StagesimError(
      'QR_NOT_FOUND',
      `no readable QR code in the ${info.width}x${info.height} camera frame`,
    );
  }
  const { topLeft, topRight, bottomRight, bottomLeft } = code.position;
  return {
    text: code.text,
    version: Number(code.version),
    corners: { topLeft, topRight, bottomRight, bottomLeft },
    inverted: code.isInverted,
    frame: { width: info.width, height: info.height },
  };
}

/** Reads the frame's QR code as an Android Enterprise provisioning payload. */
export async function scanProvisioningQr(png: Buffer): Promise<ProvisioningPayload> {
  return parseProvisioningPayload((await decodeCameraFrame(png)).text);
}

function checkImageData(info: PngInfo): void {
  const expected = inflatedSize(info);
  let inflated: Buffer;
  try {
    inflated = inflateSync(info.idat.length === 1 ? info.idat[0]! : Buffer.concat(info.idat), {
      maxOutputLength: expected,
      chunkSize: Math.max(64, expected),
    });
  } catch (error) {
    const why =
      (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
        ? `inflates to more than the ${expected} bytes its header allows`
        : 'holds damaged compressed data';
    throw new StagesimError('FRAME_CORRUPT', `the PNG's image data ${why}`, { cause: error });
  }
  if (inflated.length !== expected) {
    throw new StagesimError(
      'FRAME_CORRUPT',
      `the PNG's image data holds ${inflated.length} bytes where its header needs ${expected}`,
    );
  }
}

function hasAlpha(info: PngInfo): boolean {
  return info.colorType === 4 || info.colorType === 6 || info.transparency !== undefined;
}

/**
 * A frame with transparency as a screen shows it: over a white page. ZXing's PNG reader drops the alpha
 * channel, so ink drawn on a transparent background (RGB all black, the ink only in alpha) reads as a
 * black frame. pngjs decodes it here; its data was already checked against its bound.
 */
function overWhite(png: Buffer): RgbaPixels {
  const { width, height, data } = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(data.length);
  for (let i = 0; i < data.length; i += 4) {
    const alpha = data[i + 3]!;
    const white = 255 - alpha;
    pixels[i] = (data[i]! * alpha) / 255 + white;
    pixels[i + 1] = (data[i + 1]! * alpha) / 255 + white;
    pixels[i + 2] = (data[i + 2]! * alpha) / 255 + white;
    pixels[i + 3] = 255;
  }
  return { data: pixels, width, height };
}
