import { deflateSync, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { StagesimError } from '../errors';
import { inspectPng } from './pngInspect';
import { writeLuminance } from './pngPixels';
import { addNoise, blur, codeFrame, createRaster, qrcodeModules, type Raster } from './synthetic/frames';
import { assemblePng, chunk, encodeColourPng, encodePng, ihdr, type PngFormat } from './synthetic/pngFiles';

/** writeLuminance as decodeCameraFrame calls it: on the file's inflated image data. */
function luminanceOf(png: Buffer): Uint8Array {
  const info = inspectPng(png);
  const out = new Uint8Array(info.width * info.height);
  writeLuminance(png, info, inflateSync(Buffer.concat(info.idat)), out);
  return out;
}

/**
 * The same from pngjs's decode of the file, with ZXing-C++'s RGBToLum and alpha over white written out
 * the plain way: the reference every frame must match pixel for pixel.
 */
function pngjsLuminance(png: Buffer): Uint8Array {
  const { data, width, height } = PNG.sync.read(png);
  const out = new Uint8Array(width * height);
  for (let p = 0; p < out.length; p++) {
    const [r, g, b, alpha] = [data[4 * p]!, data[4 * p + 1]!, data[4 * p + 2]!, data[4 * p + 3]!];
    const luminance = (306 * r + 601 * g + 117 * b + 512) >> 10;
    out[p] = Math.floor((luminance * alpha + 255 * (255 - alpha) + 127) / 255);
  }
  return out;
}

/** Where two images first differ, or 'same'. */
function firstDifference(actual: Uint8Array, expected: Uint8Array, width: number): string {
  expect(actual.length).toBe(expected.length);
  const at = actual.findIndex((value, i) => value !== expected[i]);
  return at < 0 ? 'same' : `(${at % width}, ${Math.floor(at / width)}): ${actual[at]} for ${expected[at]}`;
}

// An odd width, so rows end mid-byte at low bit depths and no row length is a multiple of 4; a code,
// blur and noise, so every filter sees varied bytes (the encoder filters row y with type y % 5).
const WIDTH = 203;
const HEIGHT = 61;
const scene = (): Raster =>
  addNoise(
    blur(
      codeFrame(qrcodeModules('camera'), { width: WIDTH, height: HEIGHT, modulePixels: 2, angleDegrees: 9 }),
      0.7,
    ),
    12,
  );

describe('writeLuminance', () => {
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
    'grey2',
    'grey4',
  ];
  it.each(formats)('gives the pixels pngjs decodes from a %s PNG', (format) => {
    const png = encodePng(scene(), format);
    expect(firstDifference(luminanceOf(png), pngjsLuminance(png), WIDTH)).toBe('same');
  });

  // The same picture written Adam7-interlaced (by the test's own writer, pass by pass as the PNG
  // specification lays them out) and read back (pngjs undoes the interlacing): pixel for pixel the
  // picture of the plain file. Two sizes: one whose last blocks are cut, one too small for some passes.
  it.each(['grey', 'rgba', 'palette', 'grey16', 'grey1', 'grey4'] as PngFormat[])(
    'gives the same pixels from an interlaced %s PNG as from a plain one',
    (format) => {
      const picture = scene();
      expect(
        firstDifference(
          luminanceOf(encodePng(picture, format, { interlaced: true })),
          luminanceOf(encodePng(picture, format)),
          WIDTH,
        ),
      ).toBe('same');
      const tiny = createRaster(3, 2, 255);
      tiny.data[4] = 0;
      expect(luminanceOf(encodePng(tiny, format, { interlaced: true }))).toEqual(
        luminanceOf(encodePng(tiny, format)),
      );
    },
  );

  it('weighs red, green and blue as ZXing does, from PNGs filtered by another encoder (pngjs)', () => {
    const png = encodeColourPng(scene(), [200, 20, 90], [30, 240, 160]);
    expect(firstDifference(luminanceOf(png), pngjsLuminance(png), WIDTH)).toBe('same');
    // pngjs picks each row's filter by trying all five, as libpng does.
    for (const colorType of [2, 6] as const) {
      const image = new PNG({ width: WIDTH, height: HEIGHT });
      for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 7919) % 251;
      const file = PNG.sync.write(image, { colorType });
      expect(firstDifference(luminanceOf(file), pngjsLuminance(file), WIDTH)).toBe('same');
    }
  });

  it('shows transparency over white: opaque ink as it is, clear pixels white, half-clear ink grey', () => {
    const image = new PNG({ width: 4, height: 1 });
    image.data.set([0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128, 255, 0, 0, 255]);
    expect([...luminanceOf(PNG.sync.write(image, { colorType: 6 }))]).toEqual([0, 255, 127, 76]);
  });

  it('shows the colour a tRNS chunk makes transparent as white', () => {
    const frame = createRaster(8, 2, 255);
    frame.data.fill(0, 0, 4);
    frame.data.fill(100, 4, 8);
    const grey = encodePng(frame, 'grey');
    const info = inspectPng(grey);
    const keyed = assemblePng([
      ihdr(8, 2, 8, 0),
      chunk('tRNS', Buffer.from([0, 100])),
      chunk('IDAT', Buffer.concat(info.idat)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const luminance = luminanceOf(keyed);
    expect(firstDifference(luminance, pngjsLuminance(keyed), 8)).toBe('same');
    expect([...luminance.subarray(0, 8)]).toEqual([0, 0, 0, 0, 255, 255, 255, 255]);
  });

  it.each([
    ['an 8-bit greyscale', 'grey'],
    ['a palette', 'palette'],
  ] as const)(
    'refuses %s PNG with an unknown row filter as FRAME_CORRUPT, naming the row',
    (_what, format) => {
      const good = encodePng(scene(), format);
      const info = inspectPng(good);
      const data = inflateSync(Buffer.concat(info.idat));
      data[7 * (WIDTH + 1)] = 9; // the filter byte of row 7
      const bad = assemblePng([
        ihdr(WIDTH, HEIGHT, 8, format === 'grey' ? 0 : 3),
        ...(info.palette ? [chunk('PLTE', info.palette)] : []),
        chunk('IDAT', deflateSync(data)),
        chunk('IEND', Buffer.alloc(0)),
      ]);
      let error: unknown;
      try {
        luminanceOf(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(StagesimError);
      expect((error as StagesimError).code).toBe('FRAME_CORRUPT');
      if (format === 'grey') expect((error as StagesimError).message).toContain('row 7');
      expect((error as StagesimError).message).not.toContain('\n');
    },
  );
});
