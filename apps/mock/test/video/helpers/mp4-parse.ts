/** Minimal ISO BMFF box-tree parser for tests (the boxes ffmpeg's mp4 muxer writes for H.264). */
export interface Box {
  type: string;
  /** Offset of the box header in the file. */
  start: number;
  size: number;
  /** Offset/length of the payload after the 8-byte header. */
  payloadStart: number;
  payload: Uint8Array;
  children: Box[];
}

/** Containers and the number of payload bytes to skip before their child boxes. */
const CONTAINERS: Record<string, number> = {
  moov: 0,
  trak: 0,
  mdia: 0,
  minf: 0,
  dinf: 0,
  stbl: 0,
  edts: 0,
  udta: 0,
  stsd: 8, // full box header + entry_count
  dref: 8,
  avc1: 78, // VisualSampleEntry fields
};

export function parseBoxes(bytes: Uint8Array, start = 0, end = bytes.length): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  let o = start;
  while (o < end) {
    if (end - o < 8) throw new Error(`truncated box header at ${o}`);
    const size = view.getUint32(o);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    if (size < 8 || o + size > end)
      throw new Error(`bad size ${size} for ${type} at ${o} (end ${end})`);
    const payloadStart = o + 8;
    const box: Box = {
      type,
      start: o,
      size,
      payloadStart,
      payload: bytes.subarray(payloadStart, o + size),
      children: [],
    };
    const skip = CONTAINERS[type];
    if (skip !== undefined) box.children = parseBoxes(bytes, payloadStart + skip, o + size);
    boxes.push(box);
    o += size;
  }
  if (o !== end) throw new Error(`boxes overrun: ${o} != ${end}`);
  return boxes;
}

/** Finds the first box along a path such as 'moov/trak/mdia/mdhd'. */
export function find(boxes: Box[], path: string): Box {
  let level = boxes;
  let found: Box | undefined;
  for (const t of path.split("/")) {
    found = level.find((b) => b.type === t);
    if (!found) throw new Error(`missing box ${t} in ${path}`);
    level = found.children;
  }
  return found!;
}

export function u32(b: Uint8Array, o: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o);
}

export function u16(b: Uint8Array, o: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(o);
}

export function u64(b: Uint8Array, o: number): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(o));
}

/** Timescale and duration of an `mvhd` or `mdhd` payload (version 0 or 1). */
export function timescaleAndDuration(payload: Uint8Array): { timescale: number; duration: number } {
  return payload[0] === 1
    ? { timescale: u32(payload, 20), duration: u64(payload, 24) }
    : { timescale: u32(payload, 12), duration: u32(payload, 16) };
}

/** Width and height (16.16 fixed point, integer part) of a `tkhd` payload (version 0 or 1). */
export function tkhdSize(payload: Uint8Array): { width: number; height: number } {
  const o = payload[0] === 1 ? 88 : 76;
  return { width: u32(payload, o) / 65536, height: u32(payload, o + 4) / 65536 };
}
