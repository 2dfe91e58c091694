import { readFileSync } from 'node:fs';
import { prepareZXingModule, readBarcodes, type ReadResult, type ReaderOptions } from 'zxing-wasm/reader';

/**
 * ZXing-C++ compiled to WebAssembly (zxing-wasm), the camera's QR decoder.
 *
 * The .wasm file ships inside the npm package; it is read from there and handed to the module, because
 * zxing-wasm's default is to fetch it from a CDN, which a simulator must never depend on (this machine,
 * CI and many labs have no route to one). The module is compiled once per process, on first use.
 */

// QR only: trying every symbology costs time and can misread a corner of a QR code as a 1D barcode.
// tryHarder and tryInvert are on because a camera sees blurred codes and light ones on dark (a dark-theme
// screen), which a phone's reader still reads. tryRotate is off: ZXing's QR detector finds codes at any
// angle by their finder patterns, and the extra 90-degree passes (meant for 1D codes) cost a fifth of the
// time and read nothing more on the bench's frames (harness/bench/README.md).
const READER_OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  tryRotate: false,
  tryInvert: true,
  tryDownscale: true,
  maxNumberOfSymbols: 1,
};

let ready: Promise<unknown> | undefined;

function prepare(): Promise<unknown> {
  if (!ready) {
    const file = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    ready = prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  }
  return ready;
}

/** RGBA pixels, 4 bytes a pixel, row by row: the shape of a browser's ImageData. */
export interface RgbaPixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

type ReaderInput = Parameters<typeof readBarcodes>[0];

/** The QR codes ZXing reads in an encoded image (PNG bytes) or in RGBA pixels; valid results only. */
export async function readQrCodes(image: Uint8Array | RgbaPixels): Promise<ReadResult[]> {
  await prepare();
  // zxing-wasm tells pixels from an encoded file by their width, height and data, as in ImageData.
  const results = await readBarcodes(image as ReaderInput, READER_OPTIONS);
  return results.filter((result) => result.isValid);
}
