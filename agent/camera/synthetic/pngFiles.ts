import { crc32, deflateSync } from 'node:zlib';
import { toBytes, type Raster } from './frames';

// Hot loops use these local names: under jest every lookup of a global such as `Math` goes through
// the sandbox's global object and costs about 30x more, which made the test suite crawl.
const { floor, ceil, min, max, round } = Math;

/**
 * PNG files in the encodings a camera frame or a saved screenshot may come in, from a small writer of
 * its own (pngjs writes only grey/RGB(A) at 8 or 16 bits, and slowly under jest): every colour type and
 * bit depth, every row filter, transparency. It also builds the broken files the camera must refuse.
 */
export type PngFormat =
  | 'rgba'
  | 'rgb'
  | 'grey'
  | 'grey16'
  | 'rgb16'
  | 'grey-alpha'
  | 'palette'
  | 'palette4'
  | 'grey1'
  | 'grey2'
  | 'grey4'
  /** Black ink on a transparent sheet: alpha carries the code, every pixel's colour is black. */
  | 'ink-on-transparent';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export function ihdr(
  width: number,
  height: number,
  bitDepth: number,
  colorType: number,
  interlace = 0,
): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.writeUInt8(bitDepth, 8);
  data.writeUInt8(colorType, 9);
  data.writeUInt8(0, 10);
  data.writeUInt8(0, 11);
  data.writeUInt8(interlace, 12);
  return chunk('IHDR', data);
}

export function assemblePng(chunks: Buffer[]): Buffer {
  return Buffer.concat([SIGNATURE, ...chunks]);
}

/**
 * Packs rows of samples (already at the target bit depth) and filters them. Row y uses filter type
 * y % 5 (None, Sub, Up, Average, Paeth), so every file exercises every filter a decoder must undo.
 */
function packRows(
  width: number,
  height: number,
  samplesPerPixel: number,
  bitDepth: number,
  sample: (x: number, y: number, channel: number) => number,
): Buffer {
  const rowBytes = ceil((width * samplesPerPixel * bitDepth) / 8);
  const bpp = max(1, (samplesPerPixel * bitDepth) / 8);
  const plain = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const rowStart = y * rowBytes;
    let bit = 0;
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < samplesPerPixel; c++) {
        const value = sample(x, y, c);
        if (bitDepth === 16) {
          plain.writeUInt16BE(value, rowStart + bit / 8);
        } else if (bitDepth === 8) {
          plain[rowStart + bit / 8] = value;
        } else {
          const byte = rowStart + floor(bit / 8);
          plain[byte] = plain[byte]! | (value << (8 - bitDepth - (bit % 8)));
        }
        bit += bitDepth;
      }
    }
  }
  const filtered = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    filtered[y * (rowBytes + 1)] = filter;
    for (let i = 0; i < rowBytes; i++) {
      const x = plain[y * rowBytes + i]!;
      const a = i >= bpp ? plain[y * rowBytes + i - bpp]! : 0;
      const b = y > 0 ? plain[(y - 1) * rowBytes + i]! : 0;
      const c = i >= bpp && y > 0 ? plain[(y - 1) * rowBytes + i - bpp]! : 0;
      const predictor =
        filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
      filtered[y * (rowBytes + 1) + 1 + i] = (x - predictor) & 0xff;
    }
  }
  return filtered;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = p > a ? p - a : a - p;
  const pb = p > b ? p - b : b - p;
  const pc = p > c ? p - c : c - p;
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * The seven Adam7 passes of the PNG specification (section 8.2): each starts at (x, y) in every block of
 * 8 x 8 pixels and takes every dx-th column of every dy-th row.
 */
const ADAM7 = [
  { x: 0, y: 0, dx: 8, dy: 8 },
  { x: 4, y: 0, dx: 8, dy: 8 },
  { x: 0, y: 4, dx: 4, dy: 8 },
  { x: 2, y: 0, dx: 4, dy: 4 },
  { x: 0, y: 2, dx: 2, dy: 4 },
  { x: 1, y: 0, dx: 2, dy: 2 },
  { x: 0, y: 1, dx: 1, dy: 2 },
] as const;

/** The image data of an interlaced file: each non-empty pass packed and filtered as an image of its own. */
const packInterlaced: typeof packRows = (width, height, samplesPerPixel, bitDepth, sample) => {
  const passes: Buffer[] = [];
  for (const pass of ADAM7) {
    const passWidth = ceil((width - pass.x) / pass.dx);
    const passHeight = ceil((height - pass.y) / pass.dy);
    if (passWidth <= 0 || passHeight <= 0) continue;
    passes.push(
      packRows(passWidth, passHeight, samplesPerPixel, bitDepth, (x, y, c) =>
        sample(pass.x + x * pass.dx, pass.y + y * pass.dy, c),
      ),
    );
  }
  return Buffer.concat(passes);
};

export interface EncodeOptions {
  /** Adam7-interlaced, as a progressive web image or some screenshot tools write it. */
  interlaced?: boolean;
}

export function encodePng(raster: Raster, format: PngFormat, options: EncodeOptions = {}): Buffer {
  const { width, height } = raster;
  const pack = options.interlaced ? packInterlaced : packRows;
  const grey = toBytes(raster);
  const at = (x: number, y: number) => grey[y * width + x]!;
  const image = (
    colorType: number,
    bitDepth: number,
    samples: number,
    sample: (x: number, y: number, c: number) => number,
    extra: Buffer[] = [],
  ) =>
    assemblePng([
      ihdr(width, height, bitDepth, colorType, options.interlaced ? 1 : 0),
      ...extra,
      chunk('IDAT', deflateSync(pack(width, height, samples, bitDepth, sample))),
      chunk('IEND', Buffer.alloc(0)),
    ]);

  switch (format) {
    case 'rgba':
      return image(6, 8, 4, (x, y, c) => (c === 3 ? 255 : at(x, y)));
    case 'rgb':
      // Tinted, so the three channels differ and the luma weights matter.
      return image(2, 8, 3, (x, y, c) =>
        c === 0 ? at(x, y) : c === 1 ? max(0, at(x, y) - 10) : min(255, at(x, y) + 20),
      );
    case 'grey':
      return image(0, 8, 1, (x, y) => at(x, y));
    case 'grey16':
      // Spread over the full 16-bit range with a low-byte pattern, as a real 16-bit sensor would.
      return image(0, 16, 1, (x, y) => min(65535, at(x, y) * 257 + ((x + y) % 2)));
    case 'rgb16':
      return image(2, 16, 3, (x, y, c) => min(65535, at(x, y) * 257 + c * 3));
    case 'grey-alpha':
      return image(4, 8, 2, (x, y, c) => (c === 0 ? at(x, y) : 255));
    case 'ink-on-transparent':
      return image(6, 8, 4, (x, y, c) => (c === 3 ? 255 - at(x, y) : 0));
    case 'palette': {
      // 256 grey entries in reverse order, so index and brightness disagree.
      const palette = Buffer.alloc(256 * 3);
      for (let i = 0; i < 256; i++) palette.fill(255 - i, i * 3, i * 3 + 3);
      return image(3, 8, 1, (x, y) => 255 - at(x, y), [chunk('PLTE', palette)]);
    }
    case 'palette4': {
      const levels = 16;
      const palette = Buffer.alloc(levels * 3);
      for (let i = 0; i < levels; i++) palette.fill(round((i * 255) / (levels - 1)), i * 3, i * 3 + 3);
      return image(3, 4, 1, (x, y) => round((at(x, y) * (levels - 1)) / 255), [chunk('PLTE', palette)]);
    }
    case 'grey1':
      return image(0, 1, 1, (x, y) => (at(x, y) >= 128 ? 1 : 0));
    case 'grey2':
      return image(0, 2, 1, (x, y) => round((at(x, y) * 3) / 255));
    case 'grey4':
      return image(0, 4, 1, (x, y) => round((at(x, y) * 15) / 255));
  }
}

/** An RGB PNG of the raster in two colours: black becomes `ink`, white `paper`, greys a blend. */
export function encodeColourPng(
  raster: Raster,
  ink: [number, number, number],
  paper: [number, number, number],
): Buffer {
  const grey = toBytes(raster);
  const sample = (x: number, y: number, c: number) => {
    const t = grey[y * raster.width + x]! / 255;
    return round(ink[c]! * (1 - t) + paper[c]! * t);
  };
  return assemblePng([
    ihdr(raster.width, raster.height, 8, 2),
    chunk('IDAT', deflateSync(packRows(raster.width, raster.height, 3, 8, sample))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A header that claims any size, with a tiny body: proves the size check runs before any decoding. */
export function pngClaimingSize(width: number, height: number): Buffer {
  return assemblePng([
    ihdr(width, height, 8, 0),
    chunk('IDAT', deflateSync(Buffer.alloc(16))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
