import QRCode from 'qrcode';
import { PNG } from 'pngjs';
import { StagesimError } from '../../../agent/errors';

/**
 * Error correction M (15% of codewords recoverable). The payload is long (about 530 bytes with a
 * token, 750 with Wi-Fi), so every level up costs a lot of modules: version 16 at L, 18 at M, 22 at Q,
 * 25 at H. Shown on a screen or a sheet of the same size, more modules means smaller modules, and module
 * size is what a phone camera loses first (focus blur, distance); error correction is what survives a
 * reflection on a screen or a smudge. Measured with stagesim's camera (qrDecode.bench.ts
 * --error-correction, focus blur of 1.1 px and noise; the run is in harness/bench/README.md): L and M
 * both read from 260 px printed, Q needs 300 px and H more; with a reflection over the data of a 400 px
 * print, L fails from a disc of 16 modules radius where M still reads, and Q and H hold to 20. M costs no
 * size over L and survives a larger reflection; Q and H cost more size than a screen-scanned code should.
 */
export const QR_ERROR_CORRECTION = 'M' as const;

/** The quiet zone the QR specification asks for: 4 modules of light on every side. */
export const QR_QUIET_ZONE_MODULES = 4;

/** Pixels per module of the rendered image: big enough for a poster in the emulator's virtual scene. */
export const QR_DEFAULT_MODULE_PIXELS = 8;

export interface RenderQrOptions {
  modulePixels?: number;
}

/**
 * The QR code for a provisioning payload as an 8-bit greyscale PNG. Rendered synchronously from the
 * qrcode package's module matrix so Graph serializers can call it inline; qrcode's own PNG output is
 * stream-based and asynchronous.
 */
export function renderQrPng(payloadText: string, options: RenderQrOptions = {}): Buffer {
  const modulePixels = options.modulePixels ?? QR_DEFAULT_MODULE_PIXELS;
  if (!Number.isInteger(modulePixels) || modulePixels < 1 || modulePixels > 64) {
    throw new StagesimError(
      'QR_RENDER_INVALID',
      `module size must be a whole number of pixels from 1 to 64, got ${modulePixels}`,
    );
  }
  let code: QRCode.QRCode;
  try {
    code = QRCode.create(payloadText, { errorCorrectionLevel: QR_ERROR_CORRECTION });
  } catch (error) {
    throw new StagesimError(
      'QR_TEXT_TOO_LONG',
      `the text does not fit in a QR code: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const modules = code.modules;
  const side = (modules.size + 2 * QR_QUIET_ZONE_MODULES) * modulePixels;
  const grey = Buffer.alloc(side * side, 255);
  // Each row of modules is drawn once as one row of pixels, then copied down: a fill per dark module
  // and pixel row was a third of the time it takes to render a code.
  for (let row = 0; row < modules.size; row++) {
    const top = (row + QR_QUIET_ZONE_MODULES) * modulePixels * side;
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      const left = top + (col + QR_QUIET_ZONE_MODULES) * modulePixels;
      grey.fill(0, left, left + modulePixels);
    }
    for (let y = 1; y < modulePixels; y++) grey.copyWithin(top + y * side, top, top + side);
  }
  // pngjs packs from one byte per pixel when told the input is greyscale without alpha. No row filter:
  // a code's long runs of equal bytes deflate as well without one, and pngjs's adaptive filtering tries
  // five filters per byte, which made rendering 50 times slower (over a second inside jest's sandbox).
  const png = new PNG({ width: side, height: side });
  png.data = grey;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, filterType: 0 });
}

/** Graph's qrCodeImage value for an enrollment profile: the same PNG, base64. */
export function qrCodeImageFor(payloadText: string): { type: 'image/png'; value: string } {
  return { type: 'image/png', value: renderQrPng(payloadText).toString('base64') };
}
