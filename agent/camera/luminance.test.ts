import { deflateSync } from 'node:zlib';
import { StagesimError } from '../errors';
import { decodeLuminance, decodeLuminanceWithPngjs, type LuminanceMode } from './luminance';
import { addNoise, createRaster, toBytes, type Raster } from './testing/frames';
import { assemblePng, chunk, encodePng, ihdr, type PngFormat } from './testing/pngFiles';

/** Odd sizes, so packed rows end mid-byte and no dimension is a multiple of 8; noise defeats every filter. */
const NOISY: Raster = addNoise(createRaster(97, 61, 128), 60, 3);
const IEND = chunk('IEND', Buffer.alloc(0));

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof StagesimError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('decodeLuminance', () => {
  const formats: PngFormat[] = [
    'grey',
    'rgb',
    'rgba',
    'grey-alpha',
    'ink-on-transparent',
    'grey16',
    'rgb16',
    'palette',
    'palette4',
    'grey1',
  ];
  const modes: LuminanceMode[] = ['luma', 'green'];
  it.each(formats.flatMap((format) => modes.map((mode) => [format, mode] as const)))(
    'gives the same luminance as pngjs for a %s PNG in %s mode, through every row filter',
    (format, mode) => {
      const file = encodePng(NOISY, format);
      const fast = decodeLuminance(file, mode);
      expect(fast.width).toBe(97);
      expect(fast.height).toBe(61);
      expect(Buffer.from(fast.data).equals(Buffer.from(decodeLuminanceWithPngjs(file, mode).data))).toBe(
        true,
      );
    },
  );

  it('says which images have colour, that a green decode leaves out', () => {
    expect(decodeLuminance(encodePng(NOISY, 'grey'), 'green').colour).toBe(false);
    expect(decodeLuminance(encodePng(NOISY, 'grey-alpha'), 'green').colour).toBe(false);
    expect(decodeLuminance(encodePng(NOISY, 'rgb'), 'green').colour).toBe(true);
    expect(decodeLuminance(encodePng(NOISY, 'rgba')).colour).toBe(true);
    expect(decodeLuminance(encodePng(NOISY, 'palette')).colour).toBe(true);
  });

  it('reads only the green channel in green mode, still over white where transparent', () => {
    const rgb = assemblePng([
      ihdr(3, 1, 8, 2),
      chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0, 0, 200, 0, 9, 9, 9]))),
      IEND,
    ]);
    expect(Array.from(decodeLuminance(rgb, 'green').data)).toEqual([0, 200, 9]);
    const rgba = assemblePng([
      ihdr(2, 1, 8, 6),
      chunk('IDAT', deflateSync(Buffer.from([0, 0, 0, 0, 0, 10, 100, 10, 255]))),
      IEND,
    ]);
    expect(Array.from(decodeLuminance(rgba, 'green').data)).toEqual([255, 100]);
  });

  it('gives a greyscale image its own bytes', () => {
    expect(
      Buffer.from(decodeLuminance(encodePng(NOISY, 'grey')).data).equals(Buffer.from(toBytes(NOISY))),
    ).toBe(true);
  });

  it('weighs colours as Rec. 709 luma and keeps white white', () => {
    const pixels = Buffer.from([1, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    const file = assemblePng([
      ihdr(4, 1, 8, 2),
      chunk('IDAT', deflateSync(Buffer.from([0, ...pixels.subarray(1)]))),
      IEND,
    ]);
    expect(Array.from(decodeLuminance(file).data)).toEqual([53, 182, 18, 255]);
  });

  it('shows transparent pixels as white paper, and half-transparent black as mid grey', () => {
    const rgba = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 128]);
    const file = assemblePng([
      ihdr(3, 1, 8, 6),
      chunk('IDAT', deflateSync(Buffer.from([0, ...rgba.subarray(1)]))),
      IEND,
    ]);
    expect(Array.from(decodeLuminance(file).data)).toEqual([255, 0, 127]);
  });

  it('shows a colour-keyed transparent grey (tRNS) as white', () => {
    const file = assemblePng([
      ihdr(3, 1, 8, 0),
      chunk('tRNS', Buffer.from([0, 0])),
      chunk('IDAT', deflateSync(Buffer.from([0, 0, 100, 0]))),
      IEND,
    ]);
    expect(Array.from(decodeLuminance(file).data)).toEqual([255, 100, 255]);
  });

  it('says FRAME_CORRUPT for image data that inflates beyond its header, interlaced or not', () => {
    for (const interlace of [0, 1]) {
      const bomb = assemblePng([
        ihdr(32, 32, 8, 0, interlace),
        chunk('IDAT', deflateSync(Buffer.alloc(20_000_000))),
        IEND,
      ]);
      expect(() => decodeLuminance(bomb)).toThrow(/inflates to more than/);
      expect(codeOf(() => decodeLuminance(bomb))).toBe('FRAME_CORRUPT');
    }
  });

  it.each([
    ['too little image data', deflateSync(Buffer.alloc(10))],
    ['data that is not zlib', Buffer.from('definitely not deflate')],
    ['an unknown row filter', deflateSync(Buffer.from([7, 1, 2, 3, 0, 1, 2, 3]))],
  ])('says FRAME_CORRUPT for %s', (_what, data) => {
    const file = assemblePng([ihdr(3, 2, 8, 0), chunk('IDAT', data), IEND]);
    expect(codeOf(() => decodeLuminance(file))).toBe('FRAME_CORRUPT');
  });
});
