import jsQR from 'jsqr';
import { StagesimError } from '../errors';
import { parseProvisioningPayload, type ProvisioningPayload } from '../provisioning/payload';
import { binarize, negative } from './binarize';
import { findFinderPatterns } from './finderPatterns';
import type { Point } from './geometry';
import { decodeLuminance, type LuminanceImage } from './luminance';
import { moduleGrids, type ModuleGrid } from './moduleGrid';

/**
 * The simulated device's camera: reads the QR code in a PNG camera frame.
 *
 * Pipeline: PNG structure and size checks (pngInspect) -> luminance (luminance) -> local-threshold
 * binarization -> finder patterns -> module grid fitted against the timing patterns (moduleGrid) ->
 * the sampled grid redrawn as a clean code -> jsQR for error correction and data decoding. jsQR's own
 * locator is not used on the frame: it misreads the size of small codes (see moduleGrid.ts), and on a
 * frame of sensor noise it was measured at 2-3 seconds for 1280x720, which a camera loop cannot afford.
 * Here jsQR only ever sees a clean, upright code a few hundred pixels wide, and only for grids whose
 * fixed patterns check out.
 *
 * Bounds: pngInspect refuses frames over 16 MP before inflating anything; the largest accepted frame
 * takes about a second and 100 MB, a 1280x720 one 20-30 ms (harness/bench/qrDecode.bench.ts). The
 * locator caps finder candidates and the trios it tries, so a frame full of finder-like patterns costs
 * a few hundred milliseconds at worst, never an open-ended search.
 *
 * Error codes: those of pngInspect and luminance (FRAME_NOT_PNG, FRAME_TRUNCATED, FRAME_CORRUPT,
 * FRAME_TOO_LARGE), QR_NOT_FOUND, and for scanProvisioningQr those of parseProvisioningPayload.
 */

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

/**
 * Pixels per module of the redrawn code. At 1 pixel jsQR's module-size estimate can fall below the 1 it
 * accepts and it gives up; 2 reads reliably, and more only gives it more pixels to scan.
 */
const REDRAW_MODULE_PIXELS = 2;
const REDRAW_QUIET_ZONE = 4;

export function decodeCameraFrame(png: Buffer): CameraScan {
  // Green first (a third of the PNG work for an RGB frame, see luminance.ts), full luma only when that
  // finds nothing in a colour image. Dark-on-light before light-on-dark: that is how codes are printed
  // and how Intune renders them.
  const image = decodeLuminance(png, 'green');
  let found = scanPolarity(image, false) ?? scanPolarity(negative(image), true);
  if (!found && image.colour) {
    const luma = decodeLuminance(png, 'luma');
    found = scanPolarity(luma, false) ?? scanPolarity(negative(luma), true);
  }
  if (!found) {
    throw new StagesimError(
      'QR_NOT_FOUND',
      `no readable QR code in the ${image.width}x${image.height} camera frame`,
    );
  }
  return found;
}

/** Reads the frame's QR code as an Android Enterprise provisioning payload. */
export function scanProvisioningQr(png: Buffer): ProvisioningPayload {
  return parseProvisioningPayload(decodeCameraFrame(png).text);
}

function scanPolarity(image: LuminanceImage, inverted: boolean): CameraScan | undefined {
  const binary = binarize(image);
  for (const grid of moduleGrids(binary, findFinderPatterns(binary))) {
    const text = decodeGrid(grid);
    if (text !== undefined) {
      return {
        text,
        version: (grid.size - 17) / 4,
        corners: grid.corners,
        inverted,
        frame: { width: image.width, height: image.height },
      };
    }
  }
  return undefined;
}

function decodeGrid(grid: ModuleGrid): string | undefined {
  const side = (grid.size + 2 * REDRAW_QUIET_ZONE) * REDRAW_MODULE_PIXELS;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let row = 0; row < grid.size; row++) {
    for (let col = 0; col < grid.size; col++) {
      if (grid.dark[row * grid.size + col] !== 1) continue;
      for (let y = 0; y < REDRAW_MODULE_PIXELS; y++) {
        const start =
          (((row + REDRAW_QUIET_ZONE) * REDRAW_MODULE_PIXELS + y) * side +
            (col + REDRAW_QUIET_ZONE) * REDRAW_MODULE_PIXELS) *
          4;
        for (let x = 0; x < REDRAW_MODULE_PIXELS; x++) {
          rgba[start + x * 4] = 0;
          rgba[start + x * 4 + 1] = 0;
          rgba[start + x * 4 + 2] = 0;
        }
      }
    }
  }
  // The redrawn code is always dark on light, so inverting would only double jsQR's work. The option is
  // passed on every call because jsQR 1.4 writes provided options into its shared defaults.
  const result = jsQR(rgba, side, side, { inversionAttempts: 'dontInvert' });
  return result?.data;
}
