/**
 * A deliberately tiny H.264 (ITU-T H.264 / ISO 14496-10) *encoder* for synthetic
 * test clips: a flat background with a vertical bar that moves horizontally.
 *
 * Why this design (everything is chosen to keep the bitstream trivially small and
 * the code free of real video-coding machinery such as DCT, quantisation search,
 * motion estimation or CABAC):
 *
 * - Constrained Baseline profile, CAVLC, one slice per picture, no B-frames,
 *   pic_order_cnt_type 2 (output order == decode order, no POC fields in slices).
 * - IDR pictures use only Intra_16x16 macroblocks. A flat colour is produced by
 *   DC prediction plus a *single* DC coefficient for luma and each chroma plane;
 *   every other macroblock copies its neighbour via vertical/horizontal
 *   prediction with no residual at all (~1 byte per macroblock).
 * - P pictures contain no residual either: the bar is moved purely by integer
 *   motion vectors (exact copies, so no drift), and every macroblock the bar does
 *   not touch is P_Skip. A P picture costs a few dozen bytes.
 * - The in-loop deblocking filter is disabled in every slice: it would blur the
 *   bar's edges a little more on every P picture (they reference each other).
 *
 * Section numbers in comments refer to the H.264 spec (2016+ editions).
 */
import { BitWriter } from "./bit-writer.js";

/** A colour in 8-bit limited-range Y′CbCr (BT.601/709 style, 16..235 / 16..240). */
export interface YCbCr {
  readonly y: number;
  readonly cb: number;
  readonly cr: number;
}

/** Parameters fixed for a whole coded video sequence. */
export interface H264SequenceParams {
  /** Display (cropped) width in pixels; must be even (4:2:0 cropping unit). */
  readonly width: number;
  /** Display (cropped) height in pixels; must be even. */
  readonly height: number;
  /** Integer frame rate, written into the VUI timing info. */
  readonly fps: number;
  /** Width of the bar in pixels (a multiple of 16 so IDR pictures can draw it per macroblock). */
  readonly barWidth: number;
  readonly background: YCbCr;
  readonly barColour: YCbCr;
}

/** One access unit in MP4/AVCC form (4-byte big-endian length before each NAL unit). */
export interface EncodedFrame {
  readonly data: Uint8Array;
  readonly keyframe: boolean;
}

const PROFILE_BASELINE = 66;
/** constraint_set0_flag + constraint_set1_flag = Constrained Baseline (§A.2.1.1). */
const CONSTRAINT_FLAGS = 0xc0;
/** QP used by every slice: pic_init_qp_minus26 = 0 and slice_qp_delta = 0. */
const QP = 26;
const LOG2_MAX_FRAME_NUM = 16;
/** normAdjust4x4(m, 0, 0) (§8.5.9, v_m0); flat scaling lists multiply it by 16. */
const NORM_ADJUST_DC = [10, 11, 13, 14, 16, 18] as const;

const NAL_SLICE_NON_IDR = 1;
const NAL_SLICE_IDR = 5;
const NAL_SPS = 7;
const NAL_PPS = 8;

/** Intra_16x16 luma prediction modes (Table 8-4) and chroma modes (Table 8-5). */
const LUMA_VERTICAL = 0;
const LUMA_HORIZONTAL = 1;
const LUMA_DC = 2;
const CHROMA_DC = 0;
const CHROMA_HORIZONTAL = 1;
const CHROMA_VERTICAL = 2;

/**
 * Level limits (Table A-1): [level_idc, MaxMBPS, MaxFS]. Only the frame-size and
 * macroblock-rate limits matter here; our bitrates are far below every MaxBR.
 */
const LEVELS: ReadonlyArray<readonly [number, number, number]> = [
  [10, 1485, 99],
  [11, 3000, 396],
  [12, 6000, 396],
  [13, 11880, 396],
  [20, 11880, 396],
  [21, 19800, 792],
  [22, 20250, 1620],
  [30, 40500, 1620],
  [31, 108000, 3600],
  [32, 216000, 5120],
  [40, 245760, 8192],
  [42, 522240, 8704],
  [50, 589824, 22080],
  [51, 983040, 36864],
  [52, 2073600, 36864],
  [60, 4177920, 139264],
  [61, 8355840, 139264],
  [62, 16711680, 139264],
];

/**
 * Picks the lowest level whose frame size, macroblock rate and per-dimension
 * limit (width/height in MBs ≤ √(8·MaxFS), §A.3.1 h/i) admit the stream.
 * Decoders (Chromium included) may reject streams whose level is too low.
 */
export function chooseLevel(mbWidth: number, mbHeight: number, fps: number): number {
  const frameMbs = mbWidth * mbHeight;
  for (const [idc, maxMbps, maxFs] of LEVELS) {
    const maxDim = Math.sqrt(8 * maxFs);
    if (frameMbs <= maxFs && frameMbs * fps <= maxMbps && mbWidth <= maxDim && mbHeight <= maxDim)
      return idc;
  }
  throw new RangeError(`no H.264 level fits ${mbWidth}x${mbHeight} MBs at ${fps} fps`);
}

/**
 * Wraps an RBSP into a NAL unit payload (header byte + emulation prevention,
 * §7.4.1.1): inside a NAL unit the byte patterns 00 00 00..03 must never occur,
 * so a 0x03 is inserted after every pair of zero bytes that precedes a byte ≤ 3.
 * This is required even in MP4, where NAL units are length-prefixed.
 */
export function nalUnit(nalRefIdc: number, nalUnitType: number, rbsp: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + rbsp.length + Math.ceil(rbsp.length / 2) + 1);
  out[0] = (nalRefIdc << 5) | nalUnitType;
  let o = 1;
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros === 2 && b <= 3) {
      out[o++] = 3;
      zeros = 0;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.slice(0, o);
}

/** Joins NAL units into one AVCC sample: each preceded by its 4-byte big-endian length. */
export function avccSample(nals: readonly Uint8Array[]): Uint8Array {
  const total = nals.reduce((n, x) => n + 4 + x.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const nal of nals) {
    view.setUint32(o, nal.length);
    out.set(nal, o + 4);
    o += 4 + nal.length;
  }
  return out;
}

/**
 * Per-pixel residual produced by a lone Intra16x16 DC coefficient `level`
 * (§8.5.10: 4x4 Hadamard of a single DC is flat, then DC scaling, then the 4x4
 * inverse transform of a DC-only block is flat as well: (dc + 32) >> 6).
 */
export function lumaDcResidual(level: number, qp: number = QP): number {
  const scale = 16 * NORM_ADJUST_DC[qp % 6]!;
  const q6 = Math.floor(qp / 6);
  const dc = qp >= 36 ? (level * scale) << (q6 - 6) : (level * scale + (1 << (5 - q6))) >> (6 - q6);
  return (dc + 32) >> 6;
}

/**
 * Per-pixel residual produced by a lone 4:2:0 chroma DC coefficient `level`
 * (§8.5.11: 2x2 Hadamard of a single DC is flat; dcC = ((f·LevelScale) << (qP/6)) >> 5).
 * QPc equals QPY for QP < 30 with chroma_qp_index_offset 0 (Table 8-15).
 */
export function chromaDcResidual(level: number, qpc: number = QP): number {
  const scale = 16 * NORM_ADJUST_DC[qpc % 6]!;
  const dc = ((level * scale) << Math.floor(qpc / 6)) >> 5;
  return (dc + 32) >> 6;
}

/**
 * Finds the smallest coefficient whose flat residual best approximates `delta`,
 * restricted to coefficients with residual(−c) = −residual(c): the IDR picture
 * jumps background→bar and later bar→background, and the second jump must land
 * exactly on the background colour again or a faint seam would appear.
 */
function levelFor(
  delta: number,
  residual: (level: number) => number,
): { level: number; value: number } {
  let best = { level: 0, value: 0 };
  let bestErr = Math.abs(delta);
  for (let mag = 1; mag <= 400; mag++) {
    for (const level of [mag, -mag]) {
      const value = residual(level);
      if (residual(-level) !== -value) continue;
      const err = Math.abs(value - delta);
      if (err < bestErr) {
        best = { level, value };
        bestErr = err;
      }
    }
  }
  return best;
}

/**
 * Writes a residual block holding at most one non-zero coefficient, at scan
 * position 0 (§7.3.5.3.2 CAVLC). `chromaDc` selects the nC = −1 coeff_token table
 * (Table 9-5, ChromaDCLevel for 4:2:0); otherwise the 0 ≤ nC < 2 column is used,
 * which is correct here because no macroblock in our streams ever has AC
 * coefficients, so every neighbouring total_coeff is 0.
 */
function writeDcOnlyBlock(bw: BitWriter, level: number, chromaDc: boolean): void {
  if (level === 0) {
    // TotalCoeff = 0: nothing else follows.
    if (chromaDc) bw.u(2, 0b01);
    else bw.u(1, 0b1);
    return;
  }
  if (Math.abs(level) === 1) {
    // A ±1 is coded as a "trailing one": coeff_token(T1=1, TC=1) + sign flag.
    if (chromaDc) bw.u(1, 0b1);
    else bw.u(2, 0b01);
    bw.bit(level < 0 ? 1 : 0);
  } else {
    // coeff_token(T1=0, TC=1), then level_prefix/level_suffix with suffixLength 0.
    if (chromaDc) bw.u(6, 0b000111);
    else bw.u(6, 0b000101);
    let levelCode = level > 0 ? 2 * level - 2 : -2 * level - 1;
    // First non-trailing-one level when TrailingOnes < 3 can't be ±1, so the
    // decoder adds 2 (§9.2.2.1); the encoder subtracts it.
    levelCode -= 2;
    if (levelCode < 14) {
      bw.u(levelCode, 0).bit(1);
    } else if (levelCode < 30) {
      bw.u(14, 0)
        .bit(1)
        .u(4, levelCode - 14);
    } else if (levelCode < 30 + 4096) {
      bw.u(15, 0)
        .bit(1)
        .u(12, levelCode - 30);
    } else {
      throw new RangeError(`coefficient ${level} too large`);
    }
  }
  // total_zeros = 0 for TotalCoeff = 1 is '1' in both Table 9-7 and 9-9a; no run_before.
  bw.bit(1);
}

interface MotionVector {
  readonly x: number;
  readonly y: number;
}

const ZERO_MV: MotionVector = { x: 0, y: 0 };

function median3(p: number, q: number, r: number): number {
  return p + q + r - Math.min(p, q, r) - Math.max(p, q, r);
}

/** Encoder state for one coded video sequence. Create one per clip. */
export class H264BarEncoder {
  readonly mbWidth: number;
  readonly mbHeight: number;
  readonly levelIdc: number;
  /** SPS NAL unit (header byte included, no start code / length). */
  readonly sps: Uint8Array;
  /** PPS NAL unit (header byte included, no start code / length). */
  readonly pps: Uint8Array;
  /** Colours actually reconstructed by a decoder (quantised from the requested ones). */
  readonly decodedBackground: YCbCr;
  readonly decodedBar: YCbCr;

  private readonly bgLevels: YCbCr;
  private readonly barLevels: YCbCr;
  private frameNum = 0;
  /** Per-picture motion vector of every MB; all ZERO_MV between encodeP calls (reused to avoid GC churn). */
  private readonly mvScratch: MotionVector[];
  private idrCount = 0;

  constructor(private readonly params: H264SequenceParams) {
    const { width, height, fps, barWidth } = params;
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 2 ||
      height < 2 ||
      width % 2 ||
      height % 2
    ) {
      throw new RangeError(`width/height must be positive even integers, got ${width}x${height}`);
    }
    if (!Number.isInteger(fps) || fps < 1 || fps > 240)
      throw new RangeError(`fps must be an integer 1..240, got ${fps}`);
    if (barWidth % 16 !== 0 || barWidth <= 0)
      throw new RangeError("barWidth must be a positive multiple of 16");
    this.mbWidth = Math.ceil(width / 16);
    this.mbHeight = Math.ceil(height / 16);
    this.levelIdc = chooseLevel(this.mbWidth, this.mbHeight, fps);
    this.mvScratch = new Array<MotionVector>(this.mbWidth * this.mbHeight).fill(ZERO_MV);

    // The first macroblock has no neighbours, so DC prediction yields 128 (§8.3.3.3).
    const bg = {
      y: levelFor(params.background.y - 128, (l) => lumaDcResidual(l)),
      cb: levelFor(params.background.cb - 128, (l) => chromaDcResidual(l)),
      cr: levelFor(params.background.cr - 128, (l) => chromaDcResidual(l)),
    };
    this.bgLevels = { y: bg.y.level, cb: bg.cb.level, cr: bg.cr.level };
    this.decodedBackground = { y: 128 + bg.y.value, cb: 128 + bg.cb.value, cr: 128 + bg.cr.value };
    const db = this.decodedBackground;
    const bar = {
      y: levelFor(params.barColour.y - db.y, (l) => lumaDcResidual(l)),
      cb: levelFor(params.barColour.cb - db.cb, (l) => chromaDcResidual(l)),
      cr: levelFor(params.barColour.cr - db.cr, (l) => chromaDcResidual(l)),
    };
    this.barLevels = { y: bar.y.level, cb: bar.cb.level, cr: bar.cr.level };
    this.decodedBar = { y: db.y + bar.y.value, cb: db.cb + bar.cb.value, cr: db.cr + bar.cr.value };
    for (const c of [this.decodedBackground, this.decodedBar]) {
      // Clipping would break the exact bar→background return; keep colours in range.
      if ([c.y, c.cb, c.cr].some((v) => v < 0 || v > 255))
        throw new RangeError("colour out of range");
    }

    this.sps = nalUnit(3, NAL_SPS, this.buildSps());
    this.pps = nalUnit(3, NAL_PPS, this.buildPps());
  }

  /** Coded (macroblock-aligned) width in pixels. */
  get codedWidth(): number {
    return this.mbWidth * 16;
  }

  /** Coded (macroblock-aligned) height in pixels. */
  get codedHeight(): number {
    return this.mbHeight * 16;
  }

  /** The `avcC` fields profile_idc, constraint flags and level_idc (= SPS bytes 1..3). */
  get profile(): { profileIdc: number; constraintFlags: number; levelIdc: number } {
    return {
      profileIdc: PROFILE_BASELINE,
      constraintFlags: CONSTRAINT_FLAGS,
      levelIdc: this.levelIdc,
    };
  }

  /**
   * Encodes an IDR picture: background with the bar at `barX` (a multiple of 16,
   * or null for no bar). Row 0 sets colours with DC prediction + one DC coefficient
   * wherever the colour changes and copies the left MB otherwise; every other row
   * copies the row above (vertical prediction), so the bar spans the full height.
   */
  encodeIdr(barX: number | null): EncodedFrame {
    if (barX !== null && (barX % 16 !== 0 || barX < 0))
      throw new RangeError("IDR bar position must be MB-aligned");
    this.frameNum = 0;
    const bw = new BitWriter(this.mbWidth * this.mbHeight + 64);
    // slice_header (§7.3.3)
    bw.ue(0); // first_mb_in_slice
    bw.ue(7); // slice_type: I (all slices of the picture)
    bw.ue(0); // pic_parameter_set_id
    bw.u(LOG2_MAX_FRAME_NUM, 0); // frame_num
    bw.ue(this.idrCount++ & 0xffff); // idr_pic_id: consecutive IDRs must differ
    bw.bit(0); // no_output_of_prior_pics_flag
    bw.bit(0); // long_term_reference_flag
    bw.se(0); // slice_qp_delta
    bw.ue(1); // disable_deblocking_filter_idc: off (see file comment)

    const barStart = barX === null ? -1 : barX / 16;
    const barEnd = barX === null ? -1 : barStart + this.params.barWidth / 16;
    const isBar = (mbx: number): boolean => mbx >= barStart && mbx < barEnd;
    for (let mby = 0; mby < this.mbHeight; mby++) {
      for (let mbx = 0; mbx < this.mbWidth; mbx++) {
        let luma = LUMA_VERTICAL;
        let chroma = CHROMA_VERTICAL;
        let levels: YCbCr = { y: 0, cb: 0, cr: 0 };
        if (mby === 0) {
          if (mbx === 0) {
            luma = LUMA_DC;
            chroma = CHROMA_DC;
            levels = this.bgLevels; // 128 grey → background (bar never starts at x=0)
          } else if (isBar(mbx) !== isBar(mbx - 1)) {
            luma = LUMA_DC;
            chroma = CHROMA_DC;
            const sign = isBar(mbx) ? 1 : -1;
            levels = {
              y: sign * this.barLevels.y,
              cb: sign * this.barLevels.cb,
              cr: sign * this.barLevels.cr,
            };
          } else {
            luma = LUMA_HORIZONTAL;
            chroma = CHROMA_HORIZONTAL;
          }
        }
        this.writeIntra16x16(bw, luma, chroma, levels);
      }
    }
    bw.trailingBits();
    return { data: avccSample([nalUnit(3, NAL_SLICE_IDR, bw.toUint8Array())]), keyframe: true };
  }

  /**
   * Encodes a P picture in which the bar moved from `oldX` to `newX` (pixels;
   * |newX − oldX| ≤ 16 is not required). The macroblock columns covering both
   * positions are predicted from the previous picture shifted by (oldX − newX):
   * for every pixel x there, ref(x − Δ) is bar exactly where the new bar is, and
   * background elsewhere, provided the bar stays ≥ 1 px away from both picture
   * edges (edge clamping then also yields background). All other MBs are skipped.
   */
  encodeP(oldX: number | null, newX: number | null): EncodedFrame {
    const { mbWidth, mbHeight } = this;
    let colStart = 0;
    let colEnd = 0;
    let target: MotionVector = ZERO_MV;
    if (oldX !== null && newX !== null && oldX !== newX) {
      const w = this.params.barWidth;
      if (Math.min(oldX, newX) < 1 || Math.max(oldX, newX) + w > this.params.width - 1) {
        throw new RangeError("bar must stay at least 1px inside the picture");
      }
      colStart = Math.floor(Math.min(oldX, newX) / 16);
      colEnd = Math.ceil((Math.max(oldX, newX) + w) / 16);
      target = { x: 4 * (oldX - newX), y: 0 }; // quarter-sample units, integer-pel only
    }

    // frame_num may wrap: with pic_order_cnt_type 2 decoders track FrameNumOffset.
    this.frameNum = (this.frameNum + 1) % 2 ** LOG2_MAX_FRAME_NUM;
    const bw = new BitWriter(256);
    bw.ue(0); // first_mb_in_slice
    bw.ue(5); // slice_type: P (all slices of the picture)
    bw.ue(0); // pic_parameter_set_id
    bw.u(LOG2_MAX_FRAME_NUM, this.frameNum);
    bw.bit(0); // num_ref_idx_active_override_flag
    bw.bit(0); // ref_pic_list_modification_flag_l0
    bw.bit(0); // adaptive_ref_pic_marking_mode_flag (sliding window, 1 ref frame)
    bw.se(0); // slice_qp_delta
    bw.ue(1); // disable_deblocking_filter_idc

    // Motion vectors of already-coded MBs in this picture, for prediction (§8.4.1.3).
    // Raster order means every in-picture neighbour (A, B, C, D) is already decoded,
    // so "available" reduces to "inside the picture"; the fill value is never read early.
    const mvs = this.mvScratch;
    // Only MBs in [colStart, colEnd) can need coding. Every other MB is a zero-motion
    // P_Skip (§8.4.1.1): its left neighbour is an untouched zero-MV MB or missing
    // (columns < colStart and > colEnd), or its upper neighbour is (column colEnd).
    // So walk the touched columns only and count the skipped MBs in between.
    let nextUncoded = 0; // raster index of the first MB not yet accounted for
    for (let mby = 0; mby < mbHeight; mby++) {
      for (let mbx = colStart; mbx < colEnd; mbx++) {
        const idx = mby * mbWidth + mbx;
        const skipMv = this.pSkipMv(mvs, mbx, mby);
        const mvp = this.predictMv(mvs, mbx, mby);
        mvs[idx] = target;
        if (skipMv.x === target.x && skipMv.y === target.y) continue; // part of the next skip run
        bw.ue(idx - nextUncoded); // mb_skip_run
        nextUncoded = idx + 1;
        bw.ue(0); // mb_type P_L0_16x16 (ref_idx absent: one active reference)
        bw.se(target.x - mvp.x); // mvd_l0[0][0][0]
        bw.se(target.y - mvp.y); // mvd_l0[0][0][1]
        bw.ue(0); // coded_block_pattern me(v): inter codeNum 0 == cbp 0 (Table 9-4)
      }
    }
    const skipRun = mbWidth * mbHeight - nextUncoded;
    // Restore the scratch buffer to all-zero for the next picture.
    for (let mby = 0; mby < mbHeight; mby++)
      mvs.fill(ZERO_MV, mby * mbWidth + colStart, mby * mbWidth + colEnd);
    if (skipRun > 0) bw.ue(skipRun);
    bw.trailingBits();
    // nal_ref_idc 2: every P picture is the reference for the next one.
    return {
      data: avccSample([nalUnit(2, NAL_SLICE_NON_IDR, bw.toUint8Array())]),
      keyframe: false,
    };
  }

  /**
   * Neighbour for MV prediction. In our P pictures every MB is inter with
   * refIdx 0, so "available" ⇔ inside the picture (callers only look at MBs
   * that precede the current one in raster order, i.e. already decoded).
   */
  private neighbour(mvs: readonly MotionVector[], mbx: number, mby: number): MotionVector | null {
    if (mbx < 0 || mby < 0 || mbx >= this.mbWidth) return null;
    return mvs[mby * this.mbWidth + mbx]!;
  }

  /** Median luma motion vector prediction for a 16x16 partition (§8.4.1.3, 8.4.1.3.1). */
  private predictMv(mvs: readonly MotionVector[], mbx: number, mby: number): MotionVector {
    const a = this.neighbour(mvs, mbx - 1, mby);
    const b = this.neighbour(mvs, mbx, mby - 1);
    // C is the above-right MB; when unavailable, D (above-left) replaces it.
    const c = this.neighbour(mvs, mbx + 1, mby - 1) ?? this.neighbour(mvs, mbx - 1, mby - 1);
    // B and C both unavailable, A available: B and C take A's values, so the median is A.
    if (!b && !c && a) return a;
    // Unavailable neighbours have refIdx −1; if exactly one has refIdx 0, use it.
    if (!a && b && !c) return b;
    if (!a && !b && c) return c;
    const va = a ?? ZERO_MV;
    const vb = b ?? ZERO_MV;
    const vc = c ?? ZERO_MV;
    return { x: median3(va.x, vb.x, vc.x), y: median3(va.y, vb.y, vc.y) };
  }

  /** Motion vector a decoder infers for P_Skip (§8.4.1.1). */
  private pSkipMv(mvs: readonly MotionVector[], mbx: number, mby: number): MotionVector {
    const a = this.neighbour(mvs, mbx - 1, mby);
    const b = this.neighbour(mvs, mbx, mby - 1);
    if (!a || !b || (a.x === 0 && a.y === 0) || (b.x === 0 && b.y === 0)) return ZERO_MV;
    return this.predictMv(mvs, mbx, mby);
  }

  /**
   * macroblock_layer() for an Intra_16x16 MB with only DC coefficients (§7.3.5).
   * mb_type = 1 + predMode + 4·CodedBlockPatternChroma (+12 if luma AC, never here).
   */
  private writeIntra16x16(
    bw: BitWriter,
    lumaMode: number,
    chromaMode: number,
    levels: YCbCr,
  ): void {
    const cbpChroma = levels.cb !== 0 || levels.cr !== 0 ? 1 : 0;
    bw.ue(1 + lumaMode + 4 * cbpChroma); // I-slice mb_type (Table 7-11)
    bw.ue(chromaMode); // intra_chroma_pred_mode
    bw.se(0); // mb_qp_delta (always present for Intra_16x16)
    writeDcOnlyBlock(bw, levels.y, false); // Intra16x16DCLevel (always coded)
    if (cbpChroma) {
      writeDcOnlyBlock(bw, levels.cb, true);
      writeDcOnlyBlock(bw, levels.cr, true);
    }
  }

  /** seq_parameter_set_rbsp() (§7.3.2.1.1) with frame cropping and VUI. */
  private buildSps(): Uint8Array {
    const { width, height, fps } = this.params;
    const bw = new BitWriter(64);
    bw.u(8, PROFILE_BASELINE);
    bw.u(8, CONSTRAINT_FLAGS);
    bw.u(8, this.levelIdc);
    bw.ue(0); // seq_parameter_set_id
    bw.ue(LOG2_MAX_FRAME_NUM - 4); // log2_max_frame_num_minus4
    bw.ue(2); // pic_order_cnt_type 2: POC from frame_num, nothing in slice headers
    bw.ue(1); // max_num_ref_frames
    bw.bit(0); // gaps_in_frame_num_value_allowed_flag
    bw.ue(this.mbWidth - 1); // pic_width_in_mbs_minus1
    bw.ue(this.mbHeight - 1); // pic_height_in_map_units_minus1
    bw.bit(1); // frame_mbs_only_flag
    bw.bit(1); // direct_8x8_inference_flag
    const cropRight = this.codedWidth - width;
    const cropBottom = this.codedHeight - height;
    if (cropRight || cropBottom) {
      // Crop offsets are in units of 2 luma samples for 4:2:0 frames (CropUnitX/Y).
      bw.bit(1)
        .ue(0)
        .ue(cropRight / 2)
        .ue(0)
        .ue(cropBottom / 2);
    } else {
      bw.bit(0);
    }
    bw.bit(1); // vui_parameters_present_flag
    // vui_parameters() (§E.1.1)
    bw.bit(1).u(8, 1); // aspect_ratio_info_present_flag, aspect_ratio_idc 1 = square pixels
    bw.bit(0); // overscan_info_present_flag
    bw.bit(0); // video_signal_type_present_flag
    bw.bit(0); // chroma_loc_info_present_flag
    // Timing: one frame = 2 ticks (field-based definition in §E.2.1).
    bw.bit(1)
      .u(32, 1)
      .u(32, 2 * fps)
      .bit(1);
    bw.bit(0); // nal_hrd_parameters_present_flag
    bw.bit(0); // vcl_hrd_parameters_present_flag
    bw.bit(0); // pic_struct_present_flag
    // bitstream_restriction: no reordering, so decoders output each frame at once.
    bw.bit(1);
    bw.bit(1); // motion_vectors_over_pic_boundaries_flag
    bw.ue(0); // max_bytes_per_pic_denom
    bw.ue(0); // max_bits_per_mb_denom
    bw.ue(15); // log2_max_mv_length_horizontal
    bw.ue(15); // log2_max_mv_length_vertical
    bw.ue(0); // max_num_reorder_frames
    bw.ue(1); // max_dec_frame_buffering
    bw.trailingBits();
    return bw.toUint8Array();
  }

  /** pic_parameter_set_rbsp() (§7.3.2.2). */
  private buildPps(): Uint8Array {
    const bw = new BitWriter(16);
    bw.ue(0); // pic_parameter_set_id
    bw.ue(0); // seq_parameter_set_id
    bw.bit(0); // entropy_coding_mode_flag: CAVLC
    bw.bit(0); // bottom_field_pic_order_in_frame_present_flag
    bw.ue(0); // num_slice_groups_minus1
    bw.ue(0); // num_ref_idx_l0_default_active_minus1
    bw.ue(0); // num_ref_idx_l1_default_active_minus1
    bw.bit(0); // weighted_pred_flag
    bw.u(2, 0); // weighted_bipred_idc
    bw.se(QP - 26); // pic_init_qp_minus26
    bw.se(0); // pic_init_qs_minus26
    bw.se(0); // chroma_qp_index_offset
    bw.bit(1); // deblocking_filter_control_present_flag: lets slices disable it
    bw.bit(0); // constrained_intra_pred_flag
    bw.bit(0); // redundant_pic_cnt_present_flag
    bw.trailingBits();
    return bw.toUint8Array();
  }
}
