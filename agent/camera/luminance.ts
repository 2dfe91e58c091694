import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { StagesimError } from '../errors';
import { inflatedSize, inspectPng, type PngInfo } from './pngInspect';

/** A camera frame reduced to what a QR reader looks at: one luminance byte per pixel, row-major. */
export interface LuminanceImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Decodes a PNG to luminance. Transparent pixels are composited over white, as a viewer shows an image
 * on a page (a code saved as black ink on a transparent background must still read).
 *
 * Two decoders, chosen by measurement: pngjs takes 45-70 ms on a noisy 1280x720 RGB(A) camera frame,
 * most of it in per-pixel JavaScript (unfiltering through function calls, expanding to RGBA). The 8-bit
 * non-interlaced grey, grey+alpha, RGB and RGBA images that cameras and screenshot tools write go through
 * the tight loops below instead (zlib's native inflate, in-place unfiltering, luminance straight from the
 * filtered bytes), about 15 ms for the same frame. Every other encoding (palettes, 1/2/4/16-bit samples,
 * colour-key transparency, Adam7 interlacing) goes through pngjs. The tests check both paths agree.
 *
 * Inflating is bounded by the size IHDR announced, so a small file that inflates to gigabytes fails
 * as FRAME_CORRUPT instead of filling memory.
 */
export function decodeLuminance(file: Buffer): LuminanceImage {
  const info = inspectPng(file);
  const fast = info.bitDepth === 8 && !info.interlaced && info.colorType !== 3 && info.transparency === undefined;
  return fast ? decodeFast(info) : decodeWithPngjs(file, info);
}

function inflateBounded(info: PngInfo): Buffer {
  const expected = inflatedSize(info);
  try {
    return inflateSync(info.idat.length === 1 ? info.idat[0]! : Buffer.concat(info.idat), { maxOutputLength: expected });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ERR_BUFFER_TOO_LARGE' ? `inflates to more than the ${expected} bytes its header allows` : 'holds damaged compressed data';
    throw new StagesimError('FRAME_CORRUPT', `the PNG's image data ${why}`, { cause: error });
  }
}

function decodeFast(info: PngInfo): LuminanceImage {
  const { width, height, channels } = info;
  const inflated = inflateBounded(info);
  const raw = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
  const stride = width * channels + 1;
  if (raw.length !== stride * height) {
    throw new StagesimError('FRAME_CORRUPT', `the PNG's image data holds ${raw.length} bytes where its header needs ${stride * height}`);
  }
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride + 1;
    unfilterRow(raw, raw[row - 1]!, row, y === 0 ? -1 : row - stride, width * channels, channels);
    toLuminance(raw, row, data, y * width, width, channels);
  }
  return { width, height, data };
}

/**
 * Undoes one row's PNG filter in place (PNG specification, section 9). `previous` is the start of the
 * row above, already unfiltered, or -1 on the first row. Each filter has its own loop with the first
 * pixel (no left neighbour) peeled off: this is the hot loop of the fast path.
 */
function unfilterRow(raw: Uint8Array, filter: number, start: number, previous: number, length: number, bpp: number): void {
  const end = start + length;
  const firstEnd = start + Math.min(bpp, length);
  switch (filter) {
    case 0:
      return;
    case 1: // Sub
      for (let i = firstEnd; i < end; i++) raw[i] = (raw[i]! + raw[i - bpp]!) & 0xff;
      return;
    case 2: // Up
      if (previous < 0) return;
      for (let i = start, p = previous; i < end; i++, p++) raw[i] = (raw[i]! + raw[p]!) & 0xff;
      return;
    case 3: // Average
      if (previous < 0) {
        for (let i = firstEnd; i < end; i++) raw[i] = (raw[i]! + (raw[i - bpp]! >> 1)) & 0xff;
        return;
      }
      for (let i = start, p = previous; i < firstEnd; i++, p++) raw[i] = (raw[i]! + (raw[p]! >> 1)) & 0xff;
      for (let i = firstEnd, p = previous + bpp; i < end; i++, p++) raw[i] = (raw[i]! + ((raw[i - bpp]! + raw[p]!) >> 1)) & 0xff;
      return;
    case 4: // Paeth; on the first row it reduces to Sub
      if (previous < 0) {
        for (let i = firstEnd; i < end; i++) raw[i] = (raw[i]! + raw[i - bpp]!) & 0xff;
        return;
      }
      for (let i = start, p = previous; i < firstEnd; i++, p++) raw[i] = (raw[i]! + raw[p]!) & 0xff;
      // Branch-free: on photographs the predictor's choice is random, and mispredicted branches cost
      // more than the arithmetic (measured about 2.5x slower with if/else on a noisy frame).
      for (let i = firstEnd, p = previous + bpp; i < end; i++, p++) {
        const a = raw[i - bpp]!;
        const b = raw[p]!;
        const c = raw[p - bpp]!;
        const da = b - c;
        const db = a - c;
        const dc = da + db;
        const pa = (da ^ (da >> 31)) - (da >> 31);
        const pb = (db ^ (db >> 31)) - (db >> 31);
        const pc = (dc ^ (dc >> 31)) - (dc >> 31);
        const useC = (pc - pb) >> 31; // -1 when pc < pb
        const notA = ((pb - pa) | (pc - pa)) >> 31; // -1 when pb < pa or pc < pa
        const predictor = (a & ~notA) | (((b & ~useC) | (c & useC)) & notA);
        raw[i] = (raw[i]! + predictor) & 0xff;
      }
      return;
    default:
      throw new StagesimError('FRAME_CORRUPT', `the PNG uses an unknown row filter (${filter})`);
  }
}

/**
 * Rec. 709 luma in fixed point (the weights jsQR uses), alpha composited over white. The weights sum to
 * 256, so white stays 255.
 */
function toLuminance(source: ArrayLike<number>, from: number, target: Uint8Array, to: number, width: number, channels: number): void {
  switch (channels) {
    case 1:
      for (let x = 0; x < width; x++) target[to + x] = source[from + x]!;
      return;
    case 2:
      for (let x = 0, s = from; x < width; x++, s += 2) target[to + x] = overWhite(source[s]!, source[s + 1]!);
      return;
    case 3:
      for (let x = 0, s = from; x < width; x++, s += 3) target[to + x] = (54 * source[s]! + 183 * source[s + 1]! + 19 * source[s + 2]!) >> 8;
      return;
    default:
      for (let x = 0, s = from; x < width; x++, s += 4) {
        target[to + x] = overWhite((54 * source[s]! + 183 * source[s + 1]! + 19 * source[s + 2]!) >> 8, source[s + 3]!);
      }
  }
}

function overWhite(luma: number, alpha: number): number {
  return alpha === 255 ? luma : ((luma * alpha + 255 * (255 - alpha) + 127) / 255) | 0;
}

/** The general path on its own, whatever the encoding: the reference the fast path is tested against. */
export function decodeLuminanceWithPngjs(file: Buffer): LuminanceImage {
  return decodeWithPngjs(file, inspectPng(file));
}

function decodeWithPngjs(file: Buffer, info: PngInfo): LuminanceImage {
  if (info.interlaced) inflateBounded(info); // pngjs inflates interlaced data without a bound
  let png: PNG;
  try {
    png = PNG.sync.read(file);
  } catch (error) {
    throw new StagesimError('FRAME_CORRUPT', `the PNG cannot be decoded: ${(error as Error).message}`, { cause: error });
  }
  const data = new Uint8Array(png.width * png.height);
  toLuminance(png.data, 0, data, 0, png.width * png.height, 4);
  return { width: png.width, height: png.height, data };
}
