import QRCode from 'qrcode';
import { constants, crc32, deflateSync } from 'node:zlib';
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
 * The QR code for a provisioning payload as a 1-bit greyscale PNG (a code has two colours). Rendered
 * synchronously from the qrcode package's module matrix so Graph serializers can call it inline; qrcode's
 * own PNG output is stream-based and asynchronous.
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
  // A pixel row is its filter type, then a bit a pixel, 1 light (padding bits light too). The first
  // pixel row of each row of modules (quiet zone included) is written out (filter 0, none); the rows
  // under it repeat it, so each is filter 2 (up: every byte the one above plus 0), all zeros: nothing to
  // copy, and runs of zeros that zlib's run-length strategy packs at once (bench README step 30).
  const stride = 1 + Math.ceil(side / 8);
  const rows = Buffer.alloc(stride * side);
  for (let y = 0; y < side; y++) {
    if (y % modulePixels === 0) rows.fill(0xff, y * stride + 1, (y + 1) * stride);
    else rows[y * stride] = 2;
  }
  for (let row = 0; row < modules.size; row++) {
    const top = (row + QR_QUIET_ZONE_MODULES) * modulePixels * stride;
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      const left = (col + QR_QUIET_ZONE_MODULES) * modulePixels;
      for (let x = left; x < left + modulePixels; x++) rows[top + 1 + (x >> 3)]! &= ~(0x80 >> (x & 7));
    }
  }
  return bilevelPng(side, side, rows);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A PNG of 1-bit greyscale pixels from its filtered rows. Written here because pngjs writes only 8- and
 * 16-bit samples: at 8 bits a code's PNG had eight times the bytes to filter, deflate, send as base64 and
 * read back, and writing it was a third of a render (bench README step 26). The container is three chunks
 * (PNG specification, 3rd edition, section 5); zlib does the deflate and the CRC-32.
 */
function bilevelPng(width: number, height: number, rows: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // colour type: greyscale
  // Compression, filter method and interlace (bytes 10-12) are 0: deflate, adaptive filtering, none.
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows, { strategy: constants.Z_RLE })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

/** Graph's qrCodeImage value for an enrollment profile: the same PNG, base64. */
export function qrCodeImageFor(payloadText: string): { type: 'image/png'; value: string } {
  return { type: 'image/png', value: renderQrPng(payloadText).toString('base64') };
}
