import { PNG } from 'pngjs';
import { StagesimError } from '../errors';
import type { PngInfo } from './pngInspect';

/**
 * A camera frame's pixels as 8-bit luminance, one byte a pixel, row by row: the input ZXing's reader
 * works on (zxingReader), made here from image data that decodeCameraFrame has already inflated once
 * within its bound, so nothing is inflated twice.
 *
 * The frames a camera hands over (8-bit grey, RGB and RGBA, not interlaced) and grey of fewer bits (the
 * backend's QR codes are 1-bit) are unfiltered here, in place; every other PNG (16-bit, palette, colour
 * of fewer than 8 bits, interlaced, a transparent colour key) is
 * decoded by pngjs, whose inflate is safe by then because the data is known to inflate to exactly the
 * size the header allows. Luminance is ZXing-C++'s own formula (RGBToLum, the one zxing-wasm uses for
 * RGBA input), and transparency is composited over white, as a screen shows the frame.
 *
 * Error code: FRAME_CORRUPT for a row with an unknown filter type or data pngjs cannot decode.
 */

/**
 * Writes the frame's luminance into `out` (width x height bytes; zxingReader hands over the WebAssembly
 * heap's own buffer, so the pixels are never copied). `imageData`, the inflated IDAT data already checked
 * against `inflatedSize`, is unfiltered in place.
 */
export function writeLuminance(png: Buffer, info: PngInfo, imageData: Buffer, out: Uint8Array): void {
  const { width, height, channels } = info;
  if (info.colorType === 0 && info.bitDepth < 8 && !info.interlaced && info.transparency === undefined) {
    greyBelow8Bits(imageData, info.bitDepth, width, height, out);
    return;
  }
  if (info.bitDepth !== 8 || info.interlaced || info.colorType === 3 || info.transparency !== undefined) {
    fromRgba(decodeWithPngjs(png).data, out, width * height);
    return;
  }
  const rowBytes = width * channels;
  for (let y = 0; y < height; y++) {
    const start = y * (rowBytes + 1) + 1;
    unfilterRow(imageData, start, rowBytes, channels, y);
    if (channels === 1) out.set(imageData.subarray(start, start + rowBytes), y * width);
    else luminanceRow(imageData, start, channels, out, y * width, width);
  }
}

/**
 * Grey samples of 1, 2 or 4 bits, packed from the high bit, scaled to 0-255 (a 1-bit QR code as the
 * backend writes it): filters work on whole bytes, one byte "a pixel" below 8 bits (PNG specification,
 * section 9.2). Through pngjs, which makes RGBA first, a 1-bit code read slower than an 8-bit one.
 */
function greyBelow8Bits(data: Buffer, depth: number, width: number, height: number, out: Uint8Array): void {
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  const scale = 255 / max;
  for (let y = 0; y < height; y++) {
    const start = y * (rowBytes + 1) + 1;
    unfilterRow(data, start, rowBytes, 1, y);
    if (depth === 1) {
      oneBitRow(data, start, out, y * width, width);
      continue;
    }
    let at = y * width;
    for (let x = 0, bit = 0; x < width; x++, bit += depth)
      out[at++] = ((data[start + (bit >> 3)]! >> (8 - depth - (bit & 7))) & max) * scale;
  }
}

/**
 * One row of 1-bit samples, eight pixels a byte written out from one read: 0 stays 0, 1 becomes 255
 * (-bit & 255). Every QR code the backend renders is 1-bit; on a 904-pixel code this takes 0.54 ms
 * where the general loop above took 1.90 (harness/bench/runs/2026-12-07T0838Z-one-bit-unpack.txt).
 */
function oneBitRow(data: Uint8Array, start: number, out: Uint8Array, at: number, width: number): void {
  let i = start;
  for (const end = at + (width & ~7); at < end; at += 8) {
    const b = data[i++]!;
    out[at] = -(b >> 7) & 255;
    out[at + 1] = -((b >> 6) & 1) & 255;
    out[at + 2] = -((b >> 5) & 1) & 255;
    out[at + 3] = -((b >> 4) & 1) & 255;
    out[at + 4] = -((b >> 3) & 1) & 255;
    out[at + 5] = -((b >> 2) & 1) & 255;
    out[at + 6] = -((b >> 1) & 1) & 255;
    out[at + 7] = -(b & 1) & 255;
  }
  const b = data[i] ?? 0;
  for (let x = 0; x < (width & 7); x++) out[at++] = -((b >> (7 - x)) & 1) & 255;
}

/** ZXing-C++'s RGBToLum: the weights 0.299, 0.587 and 0.114 in 1024ths, rounded. */
const lum = (r: number, g: number, b: number) => (306 * r + 601 * g + 117 * b + 512) >> 10;

/** |n| for a 32-bit integer, without a branch. */
const abs = (n: number) => (n ^ (n >> 31)) - (n >> 31);

/** Luminance `l` under alpha `a`, over a white page. */
const overWhite = (l: number, a: number) => (a === 255 ? l : ((l - 255) * a + 255 * 255 + 127) / 255) | 0;

function luminanceRow(
  row: Uint8Array,
  start: number,
  channels: number,
  out: Uint8Array,
  at: number,
  width: number,
): void {
  const end = at + width;
  let i = start;
  if (channels === 3) for (; at < end; i += 3) out[at++] = lum(row[i]!, row[i + 1]!, row[i + 2]!);
  else if (channels === 4)
    for (; at < end; i += 4) out[at++] = overWhite(lum(row[i]!, row[i + 1]!, row[i + 2]!), row[i + 3]!);
  else for (; at < end; i += 2) out[at++] = overWhite(row[i]!, row[i + 1]!);
}

/**
 * Undoes the row's filter (PNG specification, section 9) in place. `bpp` bytes a pixel; each byte is
 * predicted from the one `bpp` before it (a), the one above (b) and the one above that (c). Each channel
 * is walked apart so that a and c stay in locals: reading them back from the row just written made the
 * loop half as fast.
 */
function unfilterRow(data: Uint8Array, start: number, rowBytes: number, bpp: number, y: number): void {
  const type = data[start - 1]!;
  const end = start + rowBytes;
  const up = rowBytes + 1;
  const first = y === 0;
  if (type === 0 || (type === 2 && first)) return;
  if (type === 2) {
    for (let i = start; i < end; i++) data[i] = data[i]! + data[i - up]!;
    return;
  }
  if (type > 4) {
    throw new StagesimError(
      'FRAME_CORRUPT',
      `row ${y} of the PNG's image data has unknown filter type ${type}`,
    );
  }
  for (let k = 0; k < bpp; k++) {
    let i = start + k;
    if (type === 1 || (type === 4 && first)) {
      // Sub, and Paeth on the first row, where b and c are 0 and the predictor is a.
      let a = data[i]!;
      for (i += bpp; i < end; i += bpp) data[i] = a = (data[i]! + a) & 255;
    } else if (type === 3) {
      let a = (data[i]! + (first ? 0 : data[i - up]! >> 1)) & 255;
      data[i] = a;
      if (first) for (i += bpp; i < end; i += bpp) data[i] = a = (data[i]! + (a >> 1)) & 255;
      else for (i += bpp; i < end; i += bpp) data[i] = a = (data[i]! + ((a + data[i - up]!) >> 1)) & 255;
    } else {
      let c = data[i - up]!;
      let a = (data[i]! + c) & 255;
      data[i] = a;
      for (i += bpp; i < end; i += bpp) {
        const b = data[i - up]!;
        // Paeth: p = a + b - c; |p - a| = |b - c|, |p - b| = |a - c|, |p - c| = |a + b - 2c|.
        const pa = abs(b - c);
        const pb = abs(a - c);
        const pc = abs(a + b - 2 * c);
        // The nearest of a, b, c (ties in that order), chosen with masks: on a noisy frame the branches
        // of the plain comparison are mispredicted so often that this is twice as fast.
        const notA = ((pb - pa) | (pc - pa)) >> 31;
        const cNotB = (pc - pb) >> 31;
        data[i] = a = (data[i]! + ((a & ~notA) | (notA & ((b & ~cNotB) | (c & cNotB))))) & 255;
        c = b;
      }
    }
  }
}

function decodeWithPngjs(png: Buffer): PNG {
  try {
    return PNG.sync.read(png);
  } catch (error) {
    throw new StagesimError(
      'FRAME_CORRUPT',
      `the PNG's image data cannot be decoded: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function fromRgba(rgba: Uint8Array, out: Uint8Array, pixels: number): void {
  for (let at = 0, i = 0; at < pixels; at++, i += 4)
    out[at] = overWhite(lum(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!), rgba[i + 3]!);
}
