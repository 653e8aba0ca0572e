/** Minimal MSB-first RBSP reader used to check the writer's output independently. */
export class BitReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get bitsLeft(): number {
    return this.bytes.length * 8 - this.pos;
  }
  bit(): number {
    if (this.pos >= this.bytes.length * 8) throw new Error("read past end");
    const b = (this.bytes[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) zeros++;
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

/** Removes emulation prevention bytes (00 00 03 → 00 00) from a NAL payload. */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of nal) {
    if (zeros === 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}
