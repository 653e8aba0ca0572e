/**
 * MSB-first bit writer for H.264 RBSP syntax (ITU-T H.264 §7.2 descriptors
 * u(n), ue(v), se(v)). Emulation prevention is NOT applied here: it belongs to
 * the NAL layer (see `h264.ts`), because RBSP bits must stay byte-exact for
 * syntax such as `rbsp_trailing_bits`.
 */
export class BitWriter {
  private buf: Uint8Array;
  private bytePos = 0;
  /** Bits already used in `buf[bytePos]` (0..7). */
  private bitPos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Number of bits written so far. */
  get bitLength(): number {
    return this.bytePos * 8 + this.bitPos;
  }

  /** True when the next bit starts a new byte. */
  get byteAligned(): boolean {
    return this.bitPos === 0;
  }

  /** Writes a single bit (u(1)). */
  bit(value: boolean | 0 | 1 | number): this {
    if (this.bytePos >= this.buf.length) this.grow();
    if (value) this.buf[this.bytePos]! |= 0x80 >>> this.bitPos;
    if (++this.bitPos === 8) {
      this.bitPos = 0;
      this.bytePos++;
    }
    return this;
  }

  /**
   * Writes `value` as an unsigned `bits`-bit big-endian field (u(n)).
   * Limited to 32 bits because JS bitwise operators are 32-bit.
   */
  u(bits: number, value: number): this {
    if (!Number.isInteger(bits) || bits < 0 || bits > 32)
      throw new RangeError(`u(${bits}): width must be 0..32`);
    if (
      !Number.isInteger(value) ||
      value < 0 ||
      (bits < 32 ? value >= 2 ** bits : value > 0xffffffff)
    ) {
      throw new RangeError(`u(${bits}): value ${value} out of range`);
    }
    if (bits > 24) {
      // Split so the chunked writer below only ever shifts values < 2^24 (JS bit ops are 32-bit signed).
      this.u(bits - 24, Math.floor(value / 0x1000000));
      return this.u(24, value % 0x1000000);
    }
    let remaining = bits;
    while (remaining > 0) {
      if (this.bytePos >= this.buf.length) this.grow();
      const free = 8 - this.bitPos;
      const n = Math.min(free, remaining);
      const chunk = (value >>> (remaining - n)) & ((1 << n) - 1);
      this.buf[this.bytePos]! |= chunk << (free - n);
      remaining -= n;
      this.bitPos += n;
      if (this.bitPos === 8) {
        this.bitPos = 0;
        this.bytePos++;
      }
    }
    return this;
  }

  /**
   * Unsigned Exp-Golomb ue(v) (§9.1): `codeNum + 1` written in binary, preceded by
   * (its bit length − 1) zero bits.
   */
  ue(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xfffffffe)
      throw new RangeError(`ue: ${value} out of range`);
    const v = value + 1;
    const n = 32 - Math.clz32(v); // bit length of v (v < 2^32)
    this.u(n - 1, 0);
    return this.u(n, v);
  }

  /**
   * Signed Exp-Golomb se(v) (§9.1.1): k>0 → codeNum 2k−1, k≤0 → codeNum −2k.
   */
  se(value: number): this {
    if (!Number.isInteger(value)) throw new RangeError(`se: ${value} is not an integer`);
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** rbsp_trailing_bits(): a stop bit `1` then zero bits up to the byte boundary (§7.3.2.11). */
  trailingBits(): this {
    this.bit(1);
    while (!this.byteAligned) this.bit(0);
    return this;
  }

  /** Copy of the written bytes. Requires byte alignment so no bits are silently dropped. */
  toUint8Array(): Uint8Array {
    if (!this.byteAligned) throw new Error("BitWriter: not byte aligned");
    return this.buf.slice(0, this.bytePos);
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }
}
