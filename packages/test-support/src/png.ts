/** Real PNG files made on the fly, for the image checks of the CLI, the playground and the packed tarballs. */
import { crc32, deflateSync } from "node:zlib";

/** An RGB colour, each channel 0 to 255. */
export type Rgb = readonly [red: number, green: number, blue: number];

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/**
 * A valid 8-bit PNG of `width` x `height`: of one `colour` (RGB) when given, else a greyscale
 * diagonal gradient. Real dimensions in a real file, for code that reads them before sending.
 */
export function png(width: number, height: number, colour?: Rgb): Buffer {
  const channels = colour === undefined ? 1 : 3;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = colour === undefined ? 0 : 2; // greyscale or RGB; no interlace
  const stride = 1 + width * channels; // each row starts with its filter byte (0: none)
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * stride + 1 + x * channels;
      if (colour === undefined) raw[at] = (x + y) % 256;
      else raw.set(colour, at);
    }
  }
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
