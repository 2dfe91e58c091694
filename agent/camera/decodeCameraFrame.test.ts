import { deflateSync, inflateSync } from 'node:zlib';
import { StagesimError } from '../errors';
import { buildProvisioningPayload, serializeProvisioningPayload } from '../provisioning/payload';
import { renderQrPng } from '../../harness/backend/qr/renderQrPng';
import { decodeCameraFrame, scanProvisioningQr } from './decodeCameraFrame';
import { inspectPng, MAX_FRAME_PIXELS, MAX_FRAME_SIDE } from './pngInspect';
import {
  addGlare,
  addNoise,
  adjustContrast,
  blur,
  codeFrame,
  createRaster,
  drawCodeInQuad,
  invert,
  qrcodeGeneratorModules,
  qrcodeModules,
  rotateQuarterTurns,
  type ErrorCorrection,
} from './synthetic/frames';
import {
  assemblePng,
  chunk,
  encodeColourPng,
  encodePng,
  ihdr,
  pngClaimingSize,
  type PngFormat,
} from './synthetic/pngFiles';

const TOKEN = 'K7PQ3MZX9WRT2HVB4NCE';
const PAYLOAD = serializeProvisioningPayload(buildProvisioningPayload({ token: TOKEN }));
const MODULES = qrcodeModules(PAYLOAD);

async function codeOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    if (error instanceof StagesimError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('decodeCameraFrame reads', () => {
  it.each([
    ['on pixel boundaries', 640, 360],
    ['between pixels', 640.5, 360.5],
    ['off-centre at a quarter pixel', 300.25, 420.75],
  ])('a code of 3 pixels per module in a 1280x720 frame, placed %s', async (_where, centerX, centerY) => {
    const frame = codeFrame(MODULES, { modulePixels: 3, centerX, centerY });
    const scan = await decodeCameraFrame(encodePng(frame, 'grey'));
    expect(scan.text).toBe(PAYLOAD);
    expect(scan.version).toBe(18);
    expect(scan.frame).toEqual({ width: 1280, height: 720 });
  });

  it('where the code is: its corners in frame pixels', async () => {
    // 89 modules of 3 pixels centred on (640, 360): the symbol spans 133.5 pixels each way.
    const scan = await decodeCameraFrame(
      encodePng(codeFrame(MODULES, { modulePixels: 3, centerX: 640, centerY: 360 }), 'grey'),
    );
    const { topLeft, topRight, bottomRight, bottomLeft } = scan.corners;
    for (const [point, x, y] of [
      [topLeft, 506.5, 226.5],
      [topRight, 773.5, 226.5],
      [bottomRight, 773.5, 493.5],
      [bottomLeft, 506.5, 493.5],
    ] as const) {
      expect(Math.abs(point.x - x)).toBeLessThan(1.5);
      expect(Math.abs(point.y - y)).toBeLessThan(1.5);
    }
  });

  it.each([17, 45, 90, 133, 180, 270, 311])('a code rotated by %i degrees', async (angleDegrees) => {
    const frame = codeFrame(MODULES, {
      width: 800,
      height: 600,
      modulePixels: 3.5,
      angleDegrees,
      centerX: 410.3,
      centerY: 295.6,
    });
    const scan = await decodeCameraFrame(encodePng(frame, 'grey'));
    expect(scan.text).toBe(PAYLOAD);
    // The top-left corner turns with the code: check it lies where the rotation puts it.
    const half = (89 / 2) * 3.5;
    const angle = (angleDegrees * Math.PI) / 180;
    const expectedX = 410.3 + -half * Math.cos(angle) + half * Math.sin(angle);
    const expectedY = 295.6 + -half * Math.sin(angle) - half * Math.cos(angle);
    expect(Math.hypot(scan.corners.topLeft.x - expectedX, scan.corners.topLeft.y - expectedY)).toBeLessThan(
      3,
    );
  });

  it.each([1, 3])('a frame turned by %i quarter turns (a phone held sideways)', async (turns) => {
    const frame = rotateQuarterTurns(
      codeFrame(MODULES, { width: 1280, height: 720, modulePixels: 4, angleDegrees: 8 }),
      turns,
    );
    expect(frame.width).toBe(720);
    expect((await decodeCameraFrame(encodePng(frame, 'grey'))).text).toBe(PAYLOAD);
  });

  it.each([
    ['right', 0.88],
    ['left', 0.9],
  ])('a sheet seen off-axis: its %s edge foreshortened to %f of the other', async (side, ratio) => {
    const near = 380;
    const far = near * ratio;
    const top = (near - far) / 2;
    const corners =
      side === 'right'
        ? [
            { x: 200, y: 120 },
            { x: 560, y: 120 + top },
            { x: 560, y: 120 + top + far },
            { x: 200, y: 120 + near },
          ]
        : [
            { x: 200, y: 120 + top },
            { x: 560, y: 120 },
            { x: 560, y: 120 + near },
            { x: 200, y: 120 + top + far },
          ];
    const frame = addNoise(blur(drawCodeInQuad(createRaster(800, 600, 210), MODULES, corners), 0.7), 4);
    expect((await decodeCameraFrame(encodePng(frame, 'grey'))).text).toBe(PAYLOAD);
  });

  it.each([
    ['3 pixels per module, focus off by 0.2 module, sensor noise', 3, 0.6, 6, 23],
    ['4 pixels per module, focus off by 0.25 module, more noise', 4, 1, 10, 131],
    ['6 pixels per module, focus off by 0.3 module, heavy noise', 6, 1.8, 16, 62],
  ])('a code at %s', async (_what, modulePixels, sigma, noise, angleDegrees) => {
    const frame = addNoise(
      blur(codeFrame(MODULES, { width: 960, height: 720, modulePixels, angleDegrees }), sigma),
      noise,
      angleDegrees,
    );
    expect((await decodeCameraFrame(encodePng(frame, 'grey'))).text).toBe(PAYLOAD);
  });

  it.each([
    ['a dim screen', 60, 120],
    ['a grey print', 110, 160],
    ['a washed-out photo', 150, 200],
  ])('a low-contrast code: %s (black and white mapped to %i and %i)', async (_what, low, high) => {
    const frame = addNoise(
      adjustContrast(
        codeFrame(MODULES, { width: 800, height: 600, modulePixels: 4, angleDegrees: 21 }),
        low,
        high,
      ),
      3,
      low,
    );
    const scan = await decodeCameraFrame(encodePng(frame, 'grey'));
    expect(scan.text).toBe(PAYLOAD);
    expect(scan.inverted).toBe(false);
  });

  it('a code with a reflection over part of its data and alignment patterns, within error correction', async () => {
    // 4 px modules centred at (400, 300): the disc of radius 8 modules covers about 200 of the 7921
    // modules (2.5%), one alignment pattern among them.
    const frame = codeFrame(MODULES, {
      width: 800,
      height: 600,
      modulePixels: 4,
      centerX: 400,
      centerY: 300,
      background: 240,
    });
    const glare = addGlare(frame, 400 + 4 * 16, 300 + 4 * 9, 32);
    expect((await decodeCameraFrame(encodePng(blur(glare, 0.6), 'grey'))).text).toBe(PAYLOAD);
  });

  it('a light code on a dark background (a dark-theme screen), saying it was inverted', async () => {
    const frame = invert(
      blur(
        codeFrame(MODULES, { width: 800, height: 600, modulePixels: 4, angleDegrees: 33, background: 250 }),
        0.8,
      ),
    );
    const scan = await decodeCameraFrame(encodePng(frame, 'grey'));
    expect(scan.text).toBe(PAYLOAD);
    expect(scan.inverted).toBe(true);
  });

  it('a light, low-contrast code on a dark background', async () => {
    const frame = adjustContrast(
      invert(codeFrame(MODULES, { width: 800, height: 600, modulePixels: 4, angleDegrees: 200 })),
      40,
      110,
    );
    expect((await decodeCameraFrame(encodePng(frame, 'grey'))).text).toBe(PAYLOAD);
  });

  const formats: PngFormat[] = [
    'rgba',
    'rgb',
    'grey',
    'grey16',
    'rgb16',
    'grey-alpha',
    'palette',
    'palette4',
    'grey1',
    'ink-on-transparent',
  ];
  it.each(formats)('a frame saved as a %s PNG', async (format) => {
    const frame = blur(
      codeFrame(MODULES, { width: 480, height: 400, modulePixels: 3.2, angleDegrees: 12, background: 255 }),
      0.5,
    );
    expect((await decodeCameraFrame(encodePng(frame, format))).text).toBe(PAYLOAD);
  });

  it.each(['grey', 'rgba'] as PngFormat[])('a frame saved as an interlaced %s PNG', async (format) => {
    const frame = blur(
      codeFrame(MODULES, { width: 480, height: 400, modulePixels: 3.2, angleDegrees: 12, background: 255 }),
      0.5,
    );
    expect((await decodeCameraFrame(encodePng(frame, format, { interlaced: true }))).text).toBe(PAYLOAD);
  });

  it.each<[string, ErrorCorrection]>([
    ['a short URL', 'L'],
    ['a short URL', 'H'],
    ['the provisioning payload', 'L'],
    ['the provisioning payload', 'Q'],
    ['the provisioning payload', 'H'],
  ])('%s encoded by another encoder (qrcode-generator) at error correction %s', async (what, level) => {
    const text = what === 'a short URL' ? 'https://example.com/enroll?t=K7PQ' : PAYLOAD;
    const modules = qrcodeGeneratorModules(text, level);
    // As large as fits the frame once turned by 27 degrees (a 125-module version 25 code gets 3 pixels).
    const modulePixels = Math.min(8, 500 / ((modules.size + 8) * 1.3));
    const frame = codeFrame(modules, { width: 960, height: 720, modulePixels, angleDegrees: 27 });
    expect((await decodeCameraFrame(encodePng(frame, 'grey'))).text).toBe(text);
  });

  it('a code whose contrast is nearly all in red and blue (the green channel is almost flat)', async () => {
    // Green ink on pink paper, green 110 against 125: the green-only first pass finds nothing, the
    // full-luma pass sees 79 against 162.
    const frame = codeFrame(MODULES, {
      width: 640,
      height: 480,
      modulePixels: 4,
      angleDegrees: 5,
      background: 255,
    });
    const png = encodeColourPng(frame, [0, 110, 0], [255, 125, 255]);
    expect(await codeOf(() => decodeCameraFrame(encodePng(adjustContrast(frame, 110, 125), 'grey')))).toBe(
      'QR_NOT_FOUND',
    );
    expect((await decodeCameraFrame(png)).text).toBe(PAYLOAD);
  });

  it("the backend's own QR PNG, as the admin center shows it", async () => {
    expect((await decodeCameraFrame(renderQrPng(PAYLOAD, { modulePixels: 4 }))).text).toBe(PAYLOAD);
  });
});

describe('scanProvisioningQr', () => {
  it('gives the validated provisioning payload', async () => {
    const payload = buildProvisioningPayload({
      token: TOKEN,
      wifi: { ssid: 'Lab', password: 'pw', security: 'WPA' },
    });
    expect(
      await scanProvisioningQr(renderQrPng(serializeProvisioningPayload(payload), { modulePixels: 4 })),
    ).toEqual(payload);
  });

  it('says QR_NOT_JSON for a code holding plain text', async () => {
    const png = encodePng(
      codeFrame(qrcodeModules('WIFI:S:Lab;T:WPA;P:secret;;'), { width: 640, height: 480, modulePixels: 6 }),
      'grey',
    );
    expect((await decodeCameraFrame(png)).text).toBe('WIFI:S:Lab;T:WPA;P:secret;;');
    expect(await codeOf(() => scanProvisioningQr(png))).toBe('QR_NOT_JSON');
  });

  it('says QR_NOT_PROVISIONING for a code holding other JSON', async () => {
    const png = renderQrPng(JSON.stringify({ hello: 'world' }));
    expect(await codeOf(() => scanProvisioningQr(png))).toBe('QR_NOT_PROVISIONING');
  });

  it('says QR_NO_TOKEN for a provisioning payload without a token', async () => {
    const payload = JSON.parse(PAYLOAD) as Record<string, unknown>;
    delete payload['android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE'];
    expect(await codeOf(() => scanProvisioningQr(renderQrPng(JSON.stringify(payload))))).toBe('QR_NO_TOKEN');
  });
});

describe('decodeCameraFrame refuses bad input', () => {
  const good = encodePng(codeFrame(MODULES, { width: 640, height: 480, modulePixels: 4 }), 'grey');

  it.each([
    ['an empty buffer', Buffer.alloc(0)],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01])],
    ['a text file', Buffer.from('{"not": "a png"}\n')],
    [
      'a PNG signature with one byte changed',
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x00]), good.subarray(8)]),
    ],
  ])('FRAME_NOT_PNG for %s', async (_what, file) => {
    expect(await codeOf(() => decodeCameraFrame(file))).toBe('FRAME_NOT_PNG');
  });

  it.each([
    ['inside the signature', 5],
    ['inside the header', 20],
    ['inside the image data', Math.floor(good.length / 2)],
    ['just before IEND', good.length - 12],
    ['one byte short', good.length - 1],
  ])('FRAME_TRUNCATED for a PNG cut %s', async (_where, length) => {
    expect(await codeOf(() => decodeCameraFrame(good.subarray(0, length)))).toBe('FRAME_TRUNCATED');
  });

  it('FRAME_CORRUPT for a flipped bit in the image data', async () => {
    const damaged = Buffer.from(good);
    damaged[100] ^= 0x10;
    expect(await codeOf(() => decodeCameraFrame(damaged))).toBe('FRAME_CORRUPT');
  });

  it('FRAME_CORRUPT, in one line naming the row, for image data with an unknown row filter', async () => {
    const info = inspectPng(good);
    const data = inflateSync(Buffer.concat(info.idat));
    data[3 * (640 + 1)] = 5; // the filter byte of row 3; the types are 0 to 4
    const bad = assemblePng([
      ihdr(640, 480, 8, 0),
      chunk('IDAT', deflateSync(data)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const error = await decodeCameraFrame(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StagesimError);
    expect(error).toMatchObject({
      code: 'FRAME_CORRUPT',
      message: "row 3 of the PNG's image data has unknown filter type 5",
    });
  });

  it('FRAME_CORRUPT for an interlaced PNG whose data inflates beyond its seven passes', async () => {
    const bomb = assemblePng([
      ihdr(64, 64, 8, 0, 1),
      chunk('IDAT', deflateSync(Buffer.alloc(50_000_000))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    // Adam7's passes of 64 x 64 grey: 8, 8, 8, 16, 16, 32 and 32 rows of 8, 8, 16, 16, 32, 32 and 64
    // samples, each row with its filter byte.
    await expect(decodeCameraFrame(bomb)).rejects.toMatchObject({
      code: 'FRAME_CORRUPT',
      message: "the PNG's image data inflates to more than the 4216 bytes its header allows",
    });
  });

  it('FRAME_CORRUPT for a small PNG whose data inflates far beyond its header (a decompression bomb)', async () => {
    const bomb = assemblePng([
      ihdr(64, 64, 8, 0),
      chunk('IDAT', deflateSync(Buffer.alloc(50_000_000))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    expect(bomb.length).toBeLessThan(100_000);
    const error = await decodeCameraFrame(bomb).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StagesimError);
    // 64 rows of a filter byte and 64 grey samples.
    expect(error).toMatchObject({
      code: 'FRAME_CORRUPT',
      message: "the PNG's image data inflates to more than the 4160 bytes its header allows",
    });
  });

  it.each([
    ['a blank sheet', createRaster(640, 480, 255)],
    ['a cluttered desk', codeFrame(MODULES, { width: 1280, height: 720, modulePixels: 4, centerX: -1000 })],
    ['sensor noise in the dark', addNoise(createRaster(1280, 720, 40), 30)],
    ['heavy noise', addNoise(createRaster(1280, 720, 128), 70)],
    [
      'half a code (cut off by the frame edge)',
      codeFrame(MODULES, { width: 640, height: 480, modulePixels: 4, centerX: 0 }),
    ],
  ])('QR_NOT_FOUND for a frame showing %s', async (_what, frame) => {
    expect(await codeOf(() => decodeCameraFrame(encodePng(frame, 'grey')))).toBe('QR_NOT_FOUND');
  });

  it.each([
    ['wider than the limit', MAX_FRAME_SIDE + 1, 100],
    ['taller than the limit', 100, MAX_FRAME_SIDE + 1],
    ['more pixels than the limit', MAX_FRAME_SIDE, MAX_FRAME_SIDE],
    ['absurdly large', 0x7fffffff, 0x7fffffff],
  ])(
    'FRAME_TOO_LARGE, naming the limit, for an image %s, before reading its data',
    async (_what, width, height) => {
      // The body is a tiny deflate stream: decoding it would fail as FRAME_CORRUPT, so this code proves
      // the header alone decided.
      const file = pngClaimingSize(width, height);
      let error: unknown;
      try {
        await decodeCameraFrame(file);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(StagesimError);
      expect((error as StagesimError).code).toBe('FRAME_TOO_LARGE');
      expect((error as StagesimError).message).toContain(
        `at most ${MAX_FRAME_SIDE} pixels a side and ${MAX_FRAME_PIXELS / 1e6} MP`,
      );
    },
  );

  it('accepts a real image right at the side limit', async () => {
    const strip = createRaster(MAX_FRAME_SIDE, 16, 255);
    expect(await codeOf(() => decodeCameraFrame(encodePng(strip, 'grey')))).toBe('QR_NOT_FOUND');
  });
});
