import jsQR from 'jsqr';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';
import { readQrCodesWithReadBarcodes } from '../../../agent/camera/zxingReader';
import { isStagesimError } from '../../../agent/errors';
import { buildProvisioningPayload, serializeProvisioningPayload } from '../../../agent/provisioning/payload';
import { qrCodeImageFor, QR_QUIET_ZONE_MODULES, renderQrPng } from './renderQrPng';

const TOKEN = 'K7PQ3MZX9WRT2HVB4NCE';
const PAYLOAD = serializeProvisioningPayload(
  buildProvisioningPayload({
    token: TOKEN,
    wifi: { ssid: 'Staging Lab', password: 'correct horse', security: 'WPA' },
  }),
);

describe('renderQrPng', () => {
  // Prepared once for every case: instantiating the writer's WebAssembly is the slow part.
  let zxingWriter: Promise<unknown>;
  beforeAll(() => {
    const wasm = readFileSync(require.resolve('zxing-wasm/writer/zxing_writer.wasm'));
    zxingWriter = prepareZXingModule({
      overrides: {
        wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer,
      },
      fireImmediately: true,
    });
  });
  // ZXing-C++'s encoder (zxing-wasm's writer, its .wasm read from the package) as the outside reference
  // for the symbol's size: qrcode's choice of modes must cost no version over what ZXing prints, on
  // payloads with and without Wi-Fi, with a non-ASCII network name, and with a long run of capitals (where
  // a single byte-mode segment, tried for speed, costs a version: 113 modules against ZXing's 109).
  it.each([
    ['a token', serializeProvisioningPayload(buildProvisioningPayload({ token: TOKEN }))],
    ['a token and Wi-Fi', PAYLOAD],
    [
      'a non-ASCII network name',
      serializeProvisioningPayload(
        buildProvisioningPayload({ token: TOKEN, wifi: { ssid: 'Büro Zürich 5G', security: 'NONE' } }),
      ),
    ],
    [
      'a long token',
      serializeProvisioningPayload(
        buildProvisioningPayload({
          token: 'X'.repeat(200),
          wifi: { ssid: 'Staging Lab', password: 'correct horse', security: 'WPA' },
        }),
      ),
    ],
  ])('is as many modules on a side as ZXing encodes for %s', async (_what, text) => {
    await zxingWriter;
    const zxing = await writeBarcode(text, {
      format: 'QRCode',
      options: 'ecLevel=M',
      scale: 1,
      addQuietZones: false,
    });
    expect(zxing.error).toBe('');
    const image = PNG.sync.read(renderQrPng(text, { modulePixels: 1 }));
    expect(image.width - 2 * QR_QUIET_ZONE_MODULES).toBe(zxing.symbol.width);
    expect(readWithJsQR(PNG.sync.read(renderQrPng(text, { modulePixels: 3 })))?.data).toBe(text);
  });

  const png = PNG.sync.read(renderQrPng(PAYLOAD));

  // pngjs's reader and ZXing's (stb_image inside zxing-wasm) are the outside references for the file:
  // the PNG is written here, not by a library.
  it('writes a 1-bit greyscale PNG of whole modules that pngjs reads', () => {
    const file = renderQrPng(PAYLOAD);
    expect(file.readUInt8(24)).toBe(1); // bit depth
    expect(file.readUInt8(25)).toBe(0); // colour type: greyscale
    expect(png.width).toBe(png.height);
    expect(png.width % 8).toBe(0);
    const levels = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) levels.add(png.data[i]!);
    expect(levels).toEqual(new Set([0, 255]));
  });

  it.each([1, 3, 5, 8])('is a file ZXing decodes itself, at %i px a module', async (modulePixels) => {
    // Widths that are not a multiple of 8 leave padding bits at the end of every row.
    const [read] = await readQrCodesWithReadBarcodes(new Uint8Array(renderQrPng(PAYLOAD, { modulePixels })));
    expect(read?.text).toBe(PAYLOAD);
  });

  it('packs every pixel the same as the module matrix, padding included', () => {
    const image = PNG.sync.read(renderQrPng(PAYLOAD, { modulePixels: 3 }));
    expect(image.width % 8).not.toBe(0);
    const code = QRCode.create(PAYLOAD, { errorCorrectionLevel: 'M' });
    let wrong = 0;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const row = Math.floor(y / 3) - QR_QUIET_ZONE_MODULES;
        const col = Math.floor(x / 3) - QR_QUIET_ZONE_MODULES;
        const inside = row >= 0 && col >= 0 && row < code.modules.size && col < code.modules.size;
        const dark = inside && code.modules.get(row, col);
        if (image.data[(y * image.width + x) * 4] !== (dark ? 0 : 255)) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  // jsQR reads the whole image: an independent reader, unlike stagesim's camera. At 3 pixels per module
  // to keep it quick: it is the same module matrix at any scale.
  const readWithJsQR = (image: PNG) =>
    jsQR(new Uint8ClampedArray(image.data), image.width, image.height, { inversionAttempts: 'dontInvert' });

  it('holds the payload, as an independent reader decodes it', () => {
    expect(readWithJsQR(PNG.sync.read(renderQrPng(PAYLOAD, { modulePixels: 3 })))?.data).toBe(PAYLOAD);
  });

  it('leaves a quiet zone of 4 light modules on every side', () => {
    const modulePixels = 8;
    const quiet = QR_QUIET_ZONE_MODULES * modulePixels;
    const grey = (x: number, y: number) => png.data[(y * png.width + x) * 4]!;
    let darkInQuietZone = 0;
    for (let i = 0; i < png.width; i++) {
      for (let band = 0; band < quiet; band++) {
        for (const value of [
          grey(i, band),
          grey(band, i),
          grey(i, png.height - 1 - band),
          grey(png.width - 1 - band, i),
        ]) {
          if (value !== 255) darkInQuietZone++;
        }
      }
    }
    expect(darkInQuietZone).toBe(0);
    // The top-left finder's dark corner starts right after the quiet zone.
    expect(grey(quiet, quiet)).toBe(0);
    expect(grey(quiet - 1, quiet - 1)).toBe(255);
  });

  it('uses error correction M: a token payload is a version 18 code (89 modules)', () => {
    const text = serializeProvisioningPayload(buildProvisioningPayload({ token: TOKEN }));
    expect(PNG.sync.read(renderQrPng(text)).width).toBe((89 + 2 * QR_QUIET_ZONE_MODULES) * 8);
    expect(readWithJsQR(PNG.sync.read(renderQrPng(text, { modulePixels: 3 })))?.version).toBe(18);
  });

  it('scales by the module size asked for', () => {
    const small = PNG.sync.read(renderQrPng(PAYLOAD, { modulePixels: 3 }));
    expect(small.width).toBe((png.width / 8) * 3);
  });

  it('refuses text no QR code can hold, and impossible module sizes', () => {
    expect(() => renderQrPng('x'.repeat(3000))).toThrow(
      expect.objectContaining({ code: 'QR_TEXT_TOO_LONG' }),
    );
    for (const modulePixels of [0, 2.5, 65]) {
      let error: unknown;
      try {
        renderQrPng(PAYLOAD, { modulePixels });
      } catch (caught) {
        error = caught;
      }
      expect(isStagesimError(error, 'QR_RENDER_INVALID')).toBe(true);
    }
  });
});

describe('qrCodeImageFor', () => {
  it("gives Graph's qrCodeImage: the same PNG, base64, typed image/png", () => {
    const image = qrCodeImageFor(PAYLOAD);
    expect(image.type).toBe('image/png');
    expect(Buffer.from(image.value, 'base64').equals(renderQrPng(PAYLOAD))).toBe(true);
  });
});
