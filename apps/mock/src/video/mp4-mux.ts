/**
 * Minimal ISO Base Media File Format (ISO/IEC 14496-12) muxer for a single AVC
 * video track, laid out "faststart": ftyp, moov, mdat. With moov first a browser
 * learns duration, size and the sample index from the first few KB and can seek
 * with HTTP Range requests without reading the whole file.
 *
 * Only what players need is written: no edit list (no B-frames, so composition
 * time == decode time), one chunk holding all samples, version-0 boxes.
 */

/** Input for {@link muxAvcMp4}. */
export interface AvcTrack {
  /** Display width/height written to tkhd and the avc1 sample entry. */
  readonly width: number;
  readonly height: number;
  /** Media timescale (ticks per second) for mdhd/stts. */
  readonly timescale: number;
  /** SPS and PPS NAL units (without length prefixes) for the avcC box. */
  readonly sps: Uint8Array;
  readonly pps: Uint8Array;
  /** Samples in decode order, each already in AVCC (length-prefixed) form. */
  readonly samples: ReadonlyArray<{ readonly data: Uint8Array; readonly keyframe: boolean }>;
  /** Duration of each sample in `timescale` ticks; same length as `samples`. */
  readonly sampleDurations: readonly number[];
}

const MOVIE_TIMESCALE = 1000;
const UINT32_MAX = 0xffffffff;

/** Unity transformation matrix (16.16 / 2.30 fixed point), used by mvhd and tkhd. */
const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

/** Growable big-endian byte builder; only the writers the boxes below need. */
class Bytes {
  private parts: Uint8Array[] = [];
  length = 0;

  u8(v: number): this {
    return this.raw(Uint8Array.of(v & 0xff));
  }

  u16(v: number): this {
    return this.raw(Uint8Array.of((v >>> 8) & 0xff, v & 0xff));
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > UINT32_MAX)
      throw new RangeError(`u32 out of range: ${v}`);
    return this.raw(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }

  /** Four-character code. */
  fourcc(s: string): this {
    if (s.length !== 4) throw new RangeError(`fourcc must be 4 chars: ${s}`);
    return this.raw(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  }

  zeros(n: number): this {
    return this.raw(new Uint8Array(n));
  }

  raw(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  toUint8Array(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

/** A box: 32-bit size (header included), type, payload. */
function box(type: string, ...children: Uint8Array[]): Uint8Array {
  const size = 8 + children.reduce((n, c) => n + c.length, 0);
  const b = new Bytes().u32(size).fourcc(type);
  for (const c of children) b.raw(c);
  return b.toUint8Array();
}

/** A full box: box plus 8-bit version and 24-bit flags. */
function fullBox(
  type: string,
  version: number,
  flags: number,
  ...children: Uint8Array[]
): Uint8Array {
  const header = new Bytes()
    .u8(version)
    .u8(flags >>> 16)
    .u16(flags & 0xffff)
    .toUint8Array();
  return box(type, header, ...children);
}

function matrix(b: Bytes): Bytes {
  for (const v of UNITY_MATRIX) b.u32(v);
  return b;
}

function ftyp(): Uint8Array {
  // isom + avc1 brands are what ffmpeg/browsers expect for plain (non-fragmented) H.264 MP4.
  return box(
    "ftyp",
    new Bytes()
      .fourcc("isom")
      .u32(0x200)
      .fourcc("isom")
      .fourcc("iso2")
      .fourcc("avc1")
      .fourcc("mp41")
      .toUint8Array(),
  );
}

function mvhd(durationMs: number): Uint8Array {
  const b = new Bytes().u32(0).u32(0).u32(MOVIE_TIMESCALE).u32(durationMs);
  b.u32(0x00010000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
  matrix(b).zeros(24); // pre_defined[6]
  b.u32(2); // next_track_ID
  return fullBox("mvhd", 0, 0, b.toUint8Array());
}

function tkhd(durationMs: number, width: number, height: number): Uint8Array {
  const b = new Bytes().u32(0).u32(0).u32(1).u32(0).u32(durationMs); // times, track_ID 1, reserved, duration
  b.zeros(8).u16(0).u16(0).u16(0).u16(0); // reserved, layer, alternate_group, volume 0 (video), reserved
  matrix(b)
    .u32(width * 0x10000)
    .u32(height * 0x10000); // 16.16 fixed point
  return fullBox("tkhd", 0, 0x000003, b.toUint8Array()); // enabled | in_movie
}

function mdhd(timescale: number, duration: number): Uint8Array {
  // language 'und' packed as three 5-bit (char − 0x60) values: 0x55c4.
  return fullBox(
    "mdhd",
    0,
    0,
    new Bytes().u32(0).u32(0).u32(timescale).u32(duration).u16(0x55c4).u16(0).toUint8Array(),
  );
}

function hdlr(): Uint8Array {
  const name = new TextEncoder().encode("VideoHandler\0");
  return fullBox(
    "hdlr",
    0,
    0,
    new Bytes().u32(0).fourcc("vide").zeros(12).raw(name).toUint8Array(),
  );
}

function dinf(): Uint8Array {
  // One self-contained data reference ('url ' with flag 1 = media is in this file).
  return box(
    "dinf",
    fullBox("dref", 0, 0, new Bytes().u32(1).toUint8Array(), fullBox("url ", 0, 1)),
  );
}

/** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1). */
function avcC(sps: Uint8Array, pps: Uint8Array): Uint8Array {
  if (sps.length < 4) throw new RangeError("SPS too short");
  const b = new Bytes().u8(1).u8(sps[1]!).u8(sps[2]!).u8(sps[3]!); // version, profile, compat, level
  b.u8(0xfc | 3); // reserved '111111' + lengthSizeMinusOne = 3 (4-byte NAL lengths)
  b.u8(0xe0 | 1)
    .u16(sps.length)
    .raw(sps); // reserved '111' + one SPS
  b.u8(1).u16(pps.length).raw(pps); // one PPS
  return box("avcC", b.toUint8Array());
}

function stsd(track: AvcTrack): Uint8Array {
  const e = new Bytes().zeros(6).u16(1); // SampleEntry: reserved, data_reference_index 1
  e.u16(0).u16(0).zeros(12); // pre_defined, reserved, pre_defined[3]
  e.u16(track.width).u16(track.height);
  e.u32(0x00480000).u32(0x00480000).u32(0).u16(1); // 72 dpi, reserved, frame_count 1
  e.zeros(32).u16(0x0018).u16(0xffff); // compressorname (empty), depth 24, pre_defined −1
  const avc1 = box("avc1", e.toUint8Array(), avcC(track.sps, track.pps));
  return fullBox("stsd", 0, 0, new Bytes().u32(1).toUint8Array(), avc1);
}

/** Run-length encodes sample durations into stts entries. */
function stts(durations: readonly number[]): Uint8Array {
  const runs: Array<[count: number, delta: number]> = [];
  for (const d of durations) {
    const last = runs[runs.length - 1];
    if (last && last[1] === d) last[0]++;
    else runs.push([1, d]);
  }
  const b = new Bytes().u32(runs.length);
  for (const [count, delta] of runs) b.u32(count).u32(delta);
  return fullBox("stts", 0, 0, b.toUint8Array());
}

/** Sync sample table; omitted when every sample is a keyframe (absence means "all sync"). */
function stss(track: AvcTrack): Uint8Array | null {
  const sync: number[] = [];
  track.samples.forEach((s, i) => {
    if (s.keyframe) sync.push(i + 1);
  });
  if (sync.length === track.samples.length) return null;
  const b = new Bytes().u32(sync.length);
  for (const n of sync) b.u32(n);
  return fullBox("stss", 0, 0, b.toUint8Array());
}

function stbl(track: AvcTrack, chunkOffset: number): Uint8Array {
  const n = track.samples.length;
  const stsc = fullBox("stsc", 0, 0, new Bytes().u32(1).u32(1).u32(n).u32(1).toUint8Array()); // all in chunk 1
  const sizes = new Bytes().u32(0).u32(n); // sample_size 0 = per-sample table follows
  for (const s of track.samples) sizes.u32(s.data.length);
  const stsz = fullBox("stsz", 0, 0, sizes.toUint8Array());
  const stco = fullBox("stco", 0, 0, new Bytes().u32(1).u32(chunkOffset).toUint8Array());
  const sync = stss(track);
  return box(
    "stbl",
    stsd(track),
    stts(track.sampleDurations),
    ...(sync ? [sync] : []),
    stsc,
    stsz,
    stco,
  );
}

function moov(track: AvcTrack, mediaDuration: number, chunkOffset: number): Uint8Array {
  const durationMs = Math.round((mediaDuration * MOVIE_TIMESCALE) / track.timescale);
  const vmhd = fullBox("vmhd", 0, 1, new Bytes().zeros(8).toUint8Array()); // graphicsmode copy, opcolor 0
  const minf = box("minf", vmhd, dinf(), stbl(track, chunkOffset));
  const mdia = box("mdia", mdhd(track.timescale, mediaDuration), hdlr(), minf);
  const trak = box("trak", tkhd(durationMs, track.width, track.height), mdia);
  return box("moov", mvhd(durationMs), trak);
}

/**
 * Builds a complete faststart MP4 (ftyp, moov, mdat) for one AVC track.
 * @returns the file bytes.
 */
export function muxAvcMp4(track: AvcTrack): Uint8Array {
  if (track.samples.length === 0) throw new RangeError("no samples");
  if (track.samples.length !== track.sampleDurations.length)
    throw new RangeError("samples/durations length mismatch");
  if (!track.samples[0]!.keyframe) throw new RangeError("first sample must be a keyframe");
  const mediaDuration = track.sampleDurations.reduce((a, b) => a + b, 0);
  const payload = track.samples.reduce((n, s) => n + s.data.length, 0);
  if (payload + 8 > UINT32_MAX) throw new RangeError("mdat too large for a 32-bit box");

  const head = ftyp();
  // moov's size does not depend on the stco value (fixed 32-bit field), so size
  // it once with a placeholder, then build it for real with the true offset.
  const moovSize = moov(track, mediaDuration, 0).length;
  const chunkOffset = head.length + moovSize + 8; // first byte after the mdat header
  const moovBox = moov(track, mediaDuration, chunkOffset);

  const out = new Uint8Array(head.length + moovBox.length + 8 + payload);
  out.set(head, 0);
  out.set(moovBox, head.length);
  let o = head.length + moovBox.length;
  new DataView(out.buffer).setUint32(o, 8 + payload);
  out.set([0x6d, 0x64, 0x61, 0x74], o + 4); // 'mdat'
  o += 8;
  for (const s of track.samples) {
    out.set(s.data, o);
    o += s.data.length;
  }
  return out;
}
