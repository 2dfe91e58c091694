import { crc32 } from 'node:zlib';
import { StagesimError } from '../errors';

/**
 * Reads a PNG's structure without decompressing anything: the signature, IHDR, every chunk's length and
 * CRC, and the limits a camera frame must respect. Whatever fails here fails in microseconds, before a
 * byte of pixel data is inflated.
 *
 * Error codes: FRAME_NOT_PNG, FRAME_TRUNCATED (the file ends before IEND), FRAME_CORRUPT (a bad chunk,
 * CRC or header field), FRAME_TOO_LARGE (the file or the image is bigger than any camera frame).
 */

/** No side longer than a 4K sensor's frame... */
export const MAX_FRAME_SIDE = 4096;
/** ...and no more than 16 megapixels in all (a 16 MP photo is the most a camera would hand over). */
export const MAX_FRAME_PIXELS = 16_000_000;
/** A 16 MP frame of noise in 8-bit RGBA deflates to about 64 MB; a bigger file is not a camera frame. */
export const MAX_FILE_BYTES = 80 * 1024 * 1024;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Bit depths the PNG specification allows for each colour type. */
const ALLOWED_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  channels: number;
  /** The IDAT payloads in order, as views into the file (no copy). */
  idat: Buffer[];
  idatBytes: number;
  palette: Buffer | undefined;
  transparency: Buffer | undefined;
}

export function inspectPng(file: Buffer): PngInfo {
  if (file.length < SIGNATURE.length || !file.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    const startsLikePng =
      file.length < SIGNATURE.length && SIGNATURE.subarray(0, file.length).equals(file) && file.length > 0;
    if (startsLikePng)
      throw new StagesimError(
        'FRAME_TRUNCATED',
        `the PNG ends after ${file.length} bytes, inside its signature`,
      );
    throw new StagesimError(
      'FRAME_NOT_PNG',
      `not a PNG image (${file.length} bytes without the PNG signature)`,
    );
  }
  if (file.length > MAX_FILE_BYTES) {
    throw new StagesimError(
      'FRAME_TOO_LARGE',
      `the PNG file is ${file.length} bytes; a camera frame is at most ${MAX_FILE_BYTES} bytes`,
    );
  }

  let header:
    Pick<PngInfo, 'width' | 'height' | 'bitDepth' | 'colorType' | 'interlaced' | 'channels'> | undefined;
  const idat: Buffer[] = [];
  let idatBytes = 0;
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  let offset = SIGNATURE.length;

  for (;;) {
    if (offset + 8 > file.length) throw truncated(offset, file.length);
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) {
      throw new StagesimError('FRAME_CORRUPT', `the PNG has a malformed chunk at byte ${offset}`);
    }
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > file.length) throw truncated(offset, file.length);
    const stored = file.readUInt32BE(dataEnd);
    if (crc32(file.subarray(offset + 4, dataEnd)) >>> 0 !== stored) {
      throw new StagesimError(
        'FRAME_CORRUPT',
        `the PNG's ${type} chunk at byte ${offset} fails its CRC check`,
      );
    }
    const data = file.subarray(dataStart, dataEnd);

    if (header === undefined) {
      if (type !== 'IHDR' || length !== 13)
        throw new StagesimError('FRAME_CORRUPT', 'the PNG does not start with an IHDR header');
      header = readHeader(data);
    } else if (type === 'IDAT') {
      idat.push(data);
      idatBytes += length;
    } else if (type === 'PLTE') {
      palette = data;
    } else if (type === 'tRNS') {
      transparency = data;
    } else if (type === 'IEND') {
      break;
    } else if (type === 'IHDR') {
      throw new StagesimError('FRAME_CORRUPT', 'the PNG has a second IHDR header');
    }
    offset = dataEnd + 4;
  }

  if (idat.length === 0) throw new StagesimError('FRAME_CORRUPT', 'the PNG has no image data (IDAT)');
  if (header.colorType === 3 && (palette === undefined || palette.length % 3 !== 0 || palette.length === 0)) {
    throw new StagesimError('FRAME_CORRUPT', 'the indexed-colour PNG has no valid palette (PLTE)');
  }
  return { ...header, idat, idatBytes, palette, transparency };
}

function readHeader(data: Buffer) {
  const width = data.readUInt32BE(0);
  const height = data.readUInt32BE(4);
  const bitDepth = data[8]!;
  const colorType = data[9]!;
  if (width === 0 || height === 0)
    throw new StagesimError('FRAME_CORRUPT', `the PNG header gives an empty image (${width}x${height})`);
  // The size check comes before any other field is trusted: refusing early is the point.
  if (width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE || width * height > MAX_FRAME_PIXELS) {
    throw new StagesimError(
      'FRAME_TOO_LARGE',
      `the image is ${width}x${height} (${((width * height) / 1e6).toFixed(1)} MP); a camera frame is at most ${MAX_FRAME_SIDE} pixels a side and ${MAX_FRAME_PIXELS / 1e6} MP`,
    );
  }
  if (!ALLOWED_DEPTHS[colorType]?.includes(bitDepth)) {
    throw new StagesimError(
      'FRAME_CORRUPT',
      `the PNG header has an invalid colour type/bit depth (${colorType}/${bitDepth})`,
    );
  }
  if (data[10] !== 0 || data[11] !== 0 || data[12]! > 1) {
    throw new StagesimError(
      'FRAME_CORRUPT',
      'the PNG header names an unknown compression, filter or interlace method',
    );
  }
  return { width, height, bitDepth, colorType, interlaced: data[12] === 1, channels: CHANNELS[colorType]! };
}

function truncated(offset: number, size: number): StagesimError {
  return new StagesimError(
    'FRAME_TRUNCATED',
    `the PNG ends at byte ${size} inside a chunk that starts at byte ${offset}, before its IEND`,
  );
}

/** The bytes the image data inflates to: one filter byte per row (per Adam7 pass row when interlaced). */
export function inflatedSize(
  info: Pick<PngInfo, 'width' | 'height' | 'bitDepth' | 'channels' | 'interlaced'>,
): number {
  const rowBytes = (w: number) => Math.ceil((w * info.channels * info.bitDepth) / 8) + 1;
  if (!info.interlaced) return rowBytes(info.width) * info.height;
  // Adam7 passes: starting column/row and step of each.
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((info.width - x0) / dx);
    const h = Math.ceil((info.height - y0) / dy);
    if (w > 0 && h > 0) total += rowBytes(w) * h;
  }
  return total;
}
