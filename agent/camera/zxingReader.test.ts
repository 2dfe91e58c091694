import { inflateSync } from 'node:zlib';
import { inspectPng } from './pngInspect';
import { writeLuminance } from './pngPixels';
import { addNoise, blur, codeFrame, invert, qrcodeModules } from './synthetic/frames';
import { encodePng } from './synthetic/pngFiles';
import { PASSES, readQrCodes, readQrCodesWithReadBarcodes, type ReaderOptions } from './zxingReader';

const TEXT = 'https://example.com/enroll?t=K7PQ3MZX9WRT2HVB4NCE';
const MODULES = qrcodeModules(TEXT);

const readLuminance = (png: Buffer, passes?: ReaderOptions[]) => {
  const info = inspectPng(png);
  const imageData = inflateSync(Buffer.concat(info.idat));
  return readQrCodes(
    info.width,
    info.height,
    (pixels) => writeLuminance(png, info, imageData, pixels),
    passes,
  );
};

// What the camera uses: the module's pixmap call with options converted here.
describe('readQrCodes on luminance', () => {
  it.each([
    ['an upright code', encodePng(codeFrame(MODULES, { width: 640, height: 480, modulePixels: 4 }), 'grey')],
    [
      'a turned, blurred code in RGB',
      encodePng(
        blur(codeFrame(MODULES, { width: 800, height: 600, modulePixels: 5, angleDegrees: 33 }), 0.8),
        'rgb',
      ),
    ],
    // Read only with tryInvert: proves the options reach ZXing as readBarcodes would pass them.
    [
      'a light code on a dark screen',
      encodePng(
        invert(codeFrame(MODULES, { width: 640, height: 480, modulePixels: 4, angleDegrees: 12 })),
        'grey',
      ),
    ],
  ])('reads %s as zxing-wasm readBarcodes does from the file, with the same options', async (_what, png) => {
    const [fromFile] = await readQrCodesWithReadBarcodes(png);
    expect((await readLuminance(png)).map((code) => code.text)).toEqual([TEXT]);
    // readBarcodes's binarizer is ZXing's default, LocalAverage: the camera's second pass.
    const codes = await readLuminance(png, [PASSES[1]!]);
    expect(codes).toHaveLength(1);
    expect(fromFile?.text).toBe(TEXT);
    const { text, version, position, isInverted } = fromFile!;
    expect(codes[0]).toEqual({ text, version, position, isInverted });
  });

  it('reads frames of growing and shrinking size one after another (its pixel buffer is reused)', async () => {
    const frame = (width: number, height: number) =>
      encodePng(codeFrame(MODULES, { width, height, modulePixels: 3, angleDegrees: 7 }), 'grey');
    for (const [width, height] of [
      [320, 240],
      [1920, 1080],
      [400, 300],
      [1280, 720],
    ] as const) {
      expect((await readLuminance(frame(width, height))).map((code) => code.text)).toEqual([TEXT]);
    }
  });

  it('reads with its second binarizer what its first cannot: a large code under heavy noise', async () => {
    const png = encodePng(
      addNoise(
        blur(codeFrame(MODULES, { width: 1280, height: 720, modulePixels: 6, angleDegrees: 20, seed: 3 }), 2),
        25,
        5,
      ),
      'grey',
    );
    expect(await readLuminance(png, [PASSES[0]!])).toEqual([]);
    expect((await readLuminance(png)).map((code) => code.text)).toEqual([TEXT]);
  });

  it('finds nothing in a blank frame', async () => {
    expect(await readQrCodes(64, 48, (pixels) => pixels.fill(255))).toEqual([]);
  });
});
