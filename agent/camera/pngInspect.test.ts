import { deflateSync } from 'node:zlib';
import { StagesimError } from '../errors';
import { inflatedSize, inspectPng, MAX_FILE_BYTES, MAX_FRAME_PIXELS, MAX_FRAME_SIDE } from './pngInspect';
import { createRaster } from './synthetic/frames';
import { assemblePng, chunk, encodePng, ihdr, pngClaimingSize } from './synthetic/pngFiles';

const IEND = chunk('IEND', Buffer.alloc(0));
const idat = (bytes: number) => chunk('IDAT', deflateSync(Buffer.alloc(bytes)));

function codeOf(file: Buffer): string {
  try {
    inspectPng(file);
  } catch (error) {
    if (error instanceof StagesimError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('inspectPng', () => {
  it('reads the header and collects every IDAT chunk without copying or inflating', () => {
    const data = deflateSync(Buffer.alloc(3 * (1 + 30 * 3)));
    const file = assemblePng([
      ihdr(30, 3, 8, 2),
      chunk('tEXt', Buffer.from('Comment\0camera')),
      chunk('IDAT', data.subarray(0, 5)),
      chunk('IDAT', data.subarray(5)),
      IEND,
    ]);
    const info = inspectPng(file);
    expect(info).toMatchObject({
      width: 30,
      height: 3,
      bitDepth: 8,
      colorType: 2,
      channels: 3,
      interlaced: false,
      idatBytes: data.length,
    });
    expect(Buffer.concat(info.idat).equals(data)).toBe(true);
    expect(info.idat[0]!.buffer).toBe(file.buffer);
  });

  it('keeps the palette and transparency chunks of an indexed image', () => {
    const palette = Buffer.from([0, 0, 0, 255, 255, 255]);
    const info = inspectPng(
      assemblePng([ihdr(8, 1, 1, 3), chunk('PLTE', palette), chunk('tRNS', Buffer.from([0])), idat(2), IEND]),
    );
    expect(info.palette?.equals(palette)).toBe(true);
    expect(info.transparency?.equals(Buffer.from([0]))).toBe(true);
  });

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')],
    ['a PNG signature in the wrong case', Buffer.from('\x89png\r\n\x1a\n', 'latin1')],
  ])('says FRAME_NOT_PNG for %s', (_what, file) => {
    expect(codeOf(file)).toBe('FRAME_NOT_PNG');
  });

  const complete = encodePng(createRaster(40, 30, 200), 'grey');
  it.each([
    ['half a signature', complete.subarray(0, 4)],
    ['a signature alone', complete.subarray(0, 8)],
    ['a cut chunk header', complete.subarray(0, 12)],
    ['a header without its CRC', complete.subarray(0, 8 + 8 + 13)],
    ['no IEND', complete.subarray(0, complete.length - 12)],
  ])('says FRAME_TRUNCATED for %s', (_what, file) => {
    expect(codeOf(file)).toBe('FRAME_TRUNCATED');
  });

  const header = (
    fields: Partial<{
      width: number;
      height: number;
      depth: number;
      colour: number;
      compression: number;
      interlace: number;
    }>,
  ) => {
    const data = Buffer.alloc(13);
    data.writeUInt32BE(fields.width ?? 10, 0);
    data.writeUInt32BE(fields.height ?? 10, 4);
    data[8] = fields.depth ?? 8;
    data[9] = fields.colour ?? 0;
    data[10] = fields.compression ?? 0;
    data[12] = fields.interlace ?? 0;
    return chunk('IHDR', data);
  };

  it.each([
    [
      'a CRC that does not match',
      Buffer.concat([complete.subarray(0, 29), Buffer.from([complete[29]! ^ 1]), complete.subarray(30)]),
    ],
    ['a first chunk that is not IHDR', assemblePng([idat(10), IEND])],
    ['an IHDR of the wrong length', assemblePng([chunk('IHDR', Buffer.alloc(12)), idat(10), IEND])],
    ['a second IHDR', assemblePng([header({}), header({}), idat(110), IEND])],
    ['a zero width', assemblePng([header({ width: 0 }), idat(10), IEND])],
    ['bit depth 3', assemblePng([header({ depth: 3 }), idat(10), IEND])],
    ['16-bit palette', assemblePng([header({ depth: 16, colour: 3 }), idat(10), IEND])],
    ['colour type 5', assemblePng([header({ colour: 5 }), idat(10), IEND])],
    ['an unknown compression method', assemblePng([header({ compression: 1 }), idat(110), IEND])],
    ['an unknown interlace method', assemblePng([header({ interlace: 2 }), idat(110), IEND])],
    ['no image data', assemblePng([header({}), IEND])],
    ['a palette image without PLTE', assemblePng([header({ colour: 3 }), idat(110), IEND])],
    [
      'a chunk type that is not four letters',
      assemblePng([header({}), chunk('ID@T', Buffer.alloc(4)), IEND]),
    ],
  ])('says FRAME_CORRUPT for %s', (_what, file) => {
    expect(codeOf(file)).toBe('FRAME_CORRUPT');
  });

  it('says FRAME_TOO_LARGE from the header alone, with the limits in the message', () => {
    for (const [width, height] of [
      [MAX_FRAME_SIDE + 1, 1],
      [1, MAX_FRAME_SIDE + 1],
      [4000, Math.ceil(MAX_FRAME_PIXELS / 4000) + 1],
    ] as const) {
      expect(() => inspectPng(pngClaimingSize(width, height))).toThrow(`${width}x${height}`);
      expect(codeOf(pngClaimingSize(width, height))).toBe('FRAME_TOO_LARGE');
    }
    expect(() => inspectPng(pngClaimingSize(5000, 5000))).toThrow(
      'a camera frame is at most 4096 pixels a side and 16 MP',
    );
    expect(codeOf(pngClaimingSize(4000, 4000))).toBe('no error');
  });

  it('says FRAME_TOO_LARGE for a file bigger than any camera frame before walking its chunks', () => {
    const huge = Buffer.alloc(MAX_FILE_BYTES + 1);
    complete.copy(huge, 0, 0, 8);
    expect(codeOf(huge)).toBe('FRAME_TOO_LARGE');
  });
});

describe('inflatedSize', () => {
  it('counts a filter byte per row, and whole bytes for packed samples', () => {
    expect(inflatedSize({ width: 10, height: 4, bitDepth: 8, channels: 3, interlaced: false })).toBe(
      4 * (1 + 30),
    );
    expect(inflatedSize({ width: 10, height: 4, bitDepth: 1, channels: 1, interlaced: false })).toBe(
      4 * (1 + 2),
    );
    expect(inflatedSize({ width: 3, height: 2, bitDepth: 16, channels: 4, interlaced: false })).toBe(
      2 * (1 + 24),
    );
  });

  it('counts the rows of each of the seven Adam7 passes of an interlaced image', () => {
    // An 8x8 image: passes of 1x1, 1x1, 2x1, 2x2, 4x2, 4x4 and 8x4 pixels.
    expect(inflatedSize({ width: 8, height: 8, bitDepth: 8, channels: 1, interlaced: true })).toBe(
      2 + 2 + 3 + 6 + 10 + 20 + 36,
    );
    // A 1x1 image has only the first pass.
    expect(inflatedSize({ width: 1, height: 1, bitDepth: 8, channels: 4, interlaced: true })).toBe(5);
  });
});
