import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { StagesimError } from '../errors';
import { inflatedSize, inspectPng, type PngInfo } from './pngInspect';

/** A camera frame reduced to what a QR reader looks at: one luminance byte per pixel, row-major. */
export interface LuminanceImage {
  width: number;
  height: number;
  data: Uint8Array;
  /** The PNG has colour: a 'green' decode left the red and blue channels out. */
  colour: boolean;
}

/**
 * What stands for brightness: Rec. 709 luma from all three channels, or the green channel alone. Green
 * carries 72% of luma and most of a camera sensor's resolution, and a PNG filters each channel on its
 * own, so green alone needs a third of the unfiltering work of an RGB frame (half for RGBA: green and
 * alpha). decodeCameraFrame reads green first and falls back on luma only when that finds no code (a
 * code whose contrast is all in red and blue).
 */
export type LuminanceMode = 'luma' | 'green';

/**
 * Decodes a PNG to luminance. Transparent pixels are composited over white, as a viewer shows an image
 * on a page (a code saved as black ink on a transparent background must still read).
 *
 * Two decoders, chosen by measurement: pngjs takes 45-110 ms on a noisy 1280x720 RGB(A) camera frame,
 * most of it in per-pixel JavaScript (unfiltering through function calls, expanding to RGBA). The 8-bit
 * non-interlaced grey, grey+alpha, RGB and RGBA images that cameras and screenshot tools write go through
 * the tight loops below instead (zlib's native inflate, in-place unfiltering of only the channels
 * needed, luminance straight from the unfiltered bytes). Every other encoding (palettes, 1/2/4/16-bit
 * samples, colour-key transparency, Adam7 interlacing) goes through pngjs. The tests check both paths
 * agree.
 *
 * Inflating is bounded by the size IHDR announced, so a small file that inflates to gigabytes fails
 * as FRAME_CORRUPT instead of filling memory.
 */
export function decodeLuminance(file: Buffer, mode: LuminanceMode = 'luma'): LuminanceImage {
  const info = inspectPng(file);
  const fast =
    info.bitDepth === 8 && !info.interlaced && info.colorType !== 3 && info.transparency === undefined;
  return fast ? decodeFast(info, mode) : decodeWithPngjs(file, info, mode);
}

function inflateBounded(info: PngInfo): Buffer {
  const expected = inflatedSize(info);
  try {
    // One output chunk of the announced size: fewer native round trips than zlib's 16 KB default.
    return inflateSync(info.idat.length === 1 ? info.idat[0]! : Buffer.concat(info.idat), {
      maxOutputLength: expected,
      chunkSize: Math.max(64, expected),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `inflates to more than the ${expected} bytes its header allows`
        : 'holds damaged compressed data';
    throw new StagesimError('FRAME_CORRUPT', `the PNG's image data ${why}`, { cause: error });
  }
}

/** Which byte of each pixel a decode needs, per colour type: grey, RGB, grey+alpha, RGBA. */
const NEEDED: Record<LuminanceMode, Record<number, readonly number[]>> = {
  luma: { 0: [0], 2: [0, 1, 2], 4: [0, 1], 6: [0, 1, 2, 3] },
  green: { 0: [0], 2: [1], 4: [0, 1], 6: [1, 3] },
};

function decodeFast(info: PngInfo, mode: LuminanceMode): LuminanceImage {
  const { width, height, channels, colorType } = info;
  const inflated = inflateBounded(info);
  const raw = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
  const stride = width * channels + 1;
  if (raw.length !== stride * height) {
    throw new StagesimError(
      'FRAME_CORRUPT',
      `the PNG's image data holds ${raw.length} bytes where its header needs ${stride * height}`,
    );
  }
  const needed = NEEDED[mode][colorType]!;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride + 1;
    const filter = raw[row - 1]!;
    if (filter > 4)
      throw new StagesimError('FRAME_CORRUPT', `the PNG uses an unknown row filter (${filter}) in row ${y}`);
    for (const channel of needed)
      unfilterChannel(raw, filter, row, y === 0 ? -1 : row - stride, width * channels, channels, channel);
    if (mode === 'green' && channels >= 3) toGreen(raw, row, data, y * width, width, channels);
    else toLuminance(raw, row, data, y * width, width, channels);
  }
  return { width, height, data, colour: channels >= 3 };
}

/**
 * Undoes one row's PNG filter in place for one channel (PNG specification, section 9): every filter
 * predicts a byte from the same channel of the pixel to the left, above and above-left, so channels
 * can be unfiltered independently. `previous` is the start of the row above, already unfiltered, or -1
 * on the first row. The left neighbour and the upper-left one stay in locals rather than being read
 * back from memory: this is the hot loop of the fast path.
 */
function unfilterChannel(
  raw: Uint8Array,
  filter: number,
  start: number,
  previous: number,
  length: number,
  bpp: number,
  channel: number,
): void {
  const end = start + length;
  const first = start + channel;
  if (filter === 0 || first >= end) return;
  if (filter === 2) {
    if (previous < 0) return;
    for (let i = first, p = previous + channel; i < end; i += bpp, p += bpp)
      raw[i] = (raw[i]! + raw[p]!) & 0xff;
    return;
  }
  if (previous < 0 || filter === 1) {
    // Sub, and Average or Paeth on the first row, where "above" is zero: Paeth then predicts the left
    // byte, Average half of it.
    const half = filter === 3;
    let left = raw[first]!;
    for (let i = first + bpp; i < end; i += bpp) {
      left = (raw[i]! + (half ? left >> 1 : left)) & 0xff;
      raw[i] = left;
    }
    return;
  }
  let p = previous + channel;
  let up = raw[p]!;
  // The first pixel has no left neighbour: both filters predict from above alone.
  let left = (raw[first]! + (filter === 3 ? up >> 1 : up)) & 0xff;
  raw[first] = left;
  if (filter === 3) {
    for (let i = first + bpp; i < end; i += bpp) {
      p += bpp;
      left = (raw[i]! + ((left + raw[p]!) >> 1)) & 0xff;
      raw[i] = left;
    }
    return;
  }
  // Paeth, branch-free: on photographs the predictor's choice is random, and mispredicted branches
  // cost more than the arithmetic (measured about 2.5x slower with if/else on a noisy frame).
  let upLeft = up;
  for (let i = first + bpp; i < end; i += bpp) {
    p += bpp;
    up = raw[p]!;
    const da = up - upLeft;
    const db = left - upLeft;
    const dc = da + db;
    const pa = (da ^ (da >> 31)) - (da >> 31);
    const pb = (db ^ (db >> 31)) - (db >> 31);
    const pc = (dc ^ (dc >> 31)) - (dc >> 31);
    const useC = (pc - pb) >> 31; // -1 when pc < pb
    const notA = ((pb - pa) | (pc - pa)) >> 31; // -1 when pb < pa or pc < pa
    left = (raw[i]! + ((left & ~notA) | (((up & ~useC) | (upLeft & useC)) & notA))) & 0xff;
    raw[i] = left;
    upLeft = up;
  }
}

/** The green channel, composited over white when the image has alpha. */
function toGreen(
  source: ArrayLike<number>,
  from: number,
  target: Uint8Array,
  to: number,
  width: number,
  channels: number,
): void {
  if (channels === 3) {
    for (let x = 0, s = from + 1; x < width; x++, s += 3) target[to + x] = source[s]!;
    return;
  }
  for (let x = 0, s = from + 1; x < width; x++, s += 4)
    target[to + x] = overWhite(source[s]!, source[s + 2]!);
}

/**
 * Rec. 709 luma in fixed point (the weights jsQR uses), alpha composited over white. The weights sum to
 * 256, so white stays 255.
 */
function toLuminance(
  source: ArrayLike<number>,
  from: number,
  target: Uint8Array,
  to: number,
  width: number,
  channels: number,
): void {
  switch (channels) {
    case 1:
      for (let x = 0; x < width; x++) target[to + x] = source[from + x]!;
      return;
    case 2:
      for (let x = 0, s = from; x < width; x++, s += 2)
        target[to + x] = overWhite(source[s]!, source[s + 1]!);
      return;
    case 3:
      for (let x = 0, s = from; x < width; x++, s += 3)
        target[to + x] = (54 * source[s]! + 183 * source[s + 1]! + 19 * source[s + 2]!) >> 8;
      return;
    default:
      for (let x = 0, s = from; x < width; x++, s += 4) {
        target[to + x] = overWhite(
          (54 * source[s]! + 183 * source[s + 1]! + 19 * source[s + 2]!) >> 8,
          source[s + 3]!,
        );
      }
  }
}

function overWhite(luma: number, alpha: number): number {
  return alpha === 255 ? luma : ((luma * alpha + 255 * (255 - alpha) + 127) / 255) | 0;
}

/** The general path on its own, whatever the encoding: the reference the fast path is tested against. */
export function decodeLuminanceWithPngjs(file: Buffer, mode: LuminanceMode = 'luma'): LuminanceImage {
  return decodeWithPngjs(file, inspectPng(file), mode);
}

function decodeWithPngjs(file: Buffer, info: PngInfo, mode: LuminanceMode): LuminanceImage {
  if (info.interlaced) inflateBounded(info); // pngjs inflates interlaced data without a bound
  let png: PNG;
  try {
    png = PNG.sync.read(file);
  } catch (error) {
    throw new StagesimError('FRAME_CORRUPT', `the PNG cannot be decoded: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const data = new Uint8Array(png.width * png.height);
  if (mode === 'green') toGreen(png.data, 0, data, 0, png.width * png.height, 4);
  else toLuminance(png.data, 0, data, 0, png.width * png.height, 4);
  return {
    width: png.width,
    height: png.height,
    data,
    colour: info.colorType === 2 || info.colorType === 3 || info.colorType === 6,
  };
}
