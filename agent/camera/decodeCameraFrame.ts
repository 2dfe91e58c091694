import { inflateSync } from 'node:zlib';
import { StagesimError } from '../errors';
import { parseProvisioningPayload, type ProvisioningPayload } from '../provisioning/payload';
import { inflatedSize, inspectPng, type PngInfo } from './pngInspect';
import { writeLuminance } from './pngPixels';
import { readQrCodes } from './zxingReader';

/**
 * The simulated device's camera: reads the QR code in a PNG camera frame.
 *
 * The frame's structure and size are checked first (pngInspect), then its image data is inflated once
 * with a bound, turned into luminance (pngPixels), and only then does ZXing (zxingReader) find, sample
 * and correct the code. The bounded inflate is a guard as well as the decode: ZXing's own PNG reader,
 * which this no longer uses, grows its output buffer as the data demands, so a small file of highly
 * compressed zeros (a decompression bomb) would inflate to gigabytes inside the WebAssembly heap, which
 * never shrinks. Here it fails in the time it takes to inflate the size the header announces.
 *
 * Error codes: those of pngInspect (FRAME_NOT_PNG, FRAME_TRUNCATED, FRAME_CORRUPT, FRAME_TOO_LARGE),
 * FRAME_CORRUPT for image data that is damaged, larger than its header allows or wrongly filtered
 * (pngPixels), QR_NOT_FOUND, and for scanProvisioningQr those of parseProvisioningPayload.
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
  const imageData = inflateImageData(info);
  const [code] = await readQrCodes(info.width, info.height, (pixels) =>
    writeLuminance(png, info, imageData, pixels),
  );
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

/** The frame's image data, inflated once and no further than its header allows. */
function inflateImageData(info: PngInfo): Buffer {
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
  return inflated;
}
