// H.264 through the direct libx264 encoder (native/x264_frame_encoder.cc): what it adds over
// FFmpeg's wrapper and what it must keep. Per-frame QPs are read back from the slice headers,
// temporal layers are checked by decoding the lower layers alone (bit-identical to the same
// frames of the full stream), and forced key frames are checked to be IDR pictures.
import t from 'tap';
import { VideoEncoder, type VideoDecoderConfig } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { chunkBytes as bytesOf, closeAll, decodeUntilError as decode, encodeSegments as encode } from '../helpers/codecs.js';
import { i420Pattern, pixelsOf, psnr } from '../helpers/media.js';

checkNoLiveFramesAfterEach(t);

const FRAME_US = 33333;
const BASELINE = 'avc1.42001f';
const HIGH = 'avc1.64001f';

// ---- A minimal H.264 reader: NAL units, SPS/PPS, and slice headers up to slice_qp_delta --------

const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_PPS = 8;

/** NAL units of an Annex B buffer or of a buffer of 4-byte length-prefixed NAL units. */
function nalUnits(data: Uint8Array, lengthPrefixed: boolean): Uint8Array[] {
  const units: Uint8Array[] = [];
  if (lengthPrefixed) {
    for (let i = 0; i + 4 <= data.length; ) {
      const size = ((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!) >>> 0;
      units.push(data.subarray(i + 4, i + 4 + size));
      i += 4 + size;
    }
    return units;
  }
  const starts: number[] = [];
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  for (let k = 0; k < starts.length; k++) {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : data.length;
    while (end > starts[k]! && data[end - 1] === 0) end--; // the zero of a 4-byte start code
    units.push(data.subarray(starts[k]!, end));
  }
  return units;
}

class Bits {
  #data: Uint8Array;
  #pos = 0;
  constructor(nal: Uint8Array) {
    // The RBSP: every 0x000003 loses its 03.
    const out: number[] = [];
    let zeros = 0;
    for (const byte of nal) {
      if (zeros >= 2 && byte === 3) {
        zeros = 0;
        continue;
      }
      zeros = byte === 0 ? zeros + 1 : 0;
      out.push(byte);
    }
    this.#data = Uint8Array.from(out);
  }
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      if (this.#pos >= this.#data.length * 8) throw new Error('H.264 reader: ran past the end of a NAL unit');
      v = v * 2 + ((this.#data[this.#pos >> 3]! >> (7 - (this.#pos & 7))) & 1);
      this.#pos++;
    }
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) zeros++;
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

interface Sps {
  separateColourPlanes: boolean;
  chromaArrayType: number;
  log2MaxFrameNum: number;
  pocType: number;
  log2MaxPocLsb: number;
  deltaPicOrderAlwaysZero: boolean;
  frameMbsOnly: boolean;
}
interface Pps {
  spsId: number;
  cabac: boolean;
  bottomFieldPicOrder: boolean;
  refIdxL0: number;
  refIdxL1: number;
  weightedPred: boolean;
  weightedBipred: number;
  initQp: number;
  redundantPicCnt: boolean;
}

/** Parameter sets seen so far (from an avcC description or in band). */
class H264Reader {
  sps = new Map<number, Sps>();
  pps = new Map<number, Pps>();

  constructor(description?: Uint8Array) {
    if (description === undefined) return;
    let i = 6;
    for (let n = description[5]! & 0x1f; n > 0; n--) {
      const size = (description[i]! << 8) | description[i + 1]!;
      this.#parameterSet(description.subarray(i + 2, i + 2 + size));
      i += 2 + size;
    }
    for (let n = description[i++]!; n > 0; n--) {
      const size = (description[i]! << 8) | description[i + 1]!;
      this.#parameterSet(description.subarray(i + 2, i + 2 + size));
      i += 2 + size;
    }
  }

  #parameterSet(nal: Uint8Array): void {
    const type = nal[0]! & 0x1f;
    const r = new Bits(nal.subarray(1));
    if (type === NAL_SPS) {
      const profile = r.u(8);
      r.u(16); // constraint flags, level
      const id = r.ue();
      let chromaArrayType = 1;
      let separateColourPlanes = false;
      if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
        const chromaFormat = r.ue();
        separateColourPlanes = chromaFormat === 3 && r.u(1) === 1;
        chromaArrayType = separateColourPlanes ? 0 : chromaFormat;
        r.ue(); // bit_depth_luma_minus8
        r.ue(); // bit_depth_chroma_minus8
        r.u(1); // qpprime_y_zero_transform_bypass_flag
        if (r.u(1)) throw new Error('H.264 reader: SPS scaling matrices are not expected from x264 here');
      }
      const log2MaxFrameNum = r.ue() + 4;
      const pocType = r.ue();
      let log2MaxPocLsb = 0;
      let deltaPicOrderAlwaysZero = false;
      if (pocType === 0) log2MaxPocLsb = r.ue() + 4;
      else if (pocType === 1) {
        deltaPicOrderAlwaysZero = r.u(1) === 1;
        r.se();
        r.se();
        for (let n = r.ue(); n > 0; n--) r.se();
      }
      r.ue(); // max_num_ref_frames
      r.u(1); // gaps_in_frame_num_value_allowed_flag
      r.ue();
      r.ue();
      const frameMbsOnly = r.u(1) === 1;
      this.sps.set(id, { separateColourPlanes, chromaArrayType, log2MaxFrameNum, pocType, log2MaxPocLsb, deltaPicOrderAlwaysZero, frameMbsOnly });
    } else if (type === NAL_PPS) {
      const id = r.ue();
      const spsId = r.ue();
      const cabac = r.u(1) === 1;
      const bottomFieldPicOrder = r.u(1) === 1;
      if (r.ue() !== 0) throw new Error('H.264 reader: slice groups are not expected from x264');
      const refIdxL0 = r.ue() + 1;
      const refIdxL1 = r.ue() + 1;
      const weightedPred = r.u(1) === 1;
      const weightedBipred = r.u(2);
      const initQp = 26 + r.se();
      r.se(); // pic_init_qs_minus26
      r.se(); // chroma_qp_index_offset
      r.u(1); // deblocking_filter_control_present_flag
      r.u(1); // constrained_intra_pred_flag
      const redundantPicCnt = r.u(1) === 1;
      this.pps.set(id, { spsId, cabac, bottomFieldPicOrder, refIdxL0, refIdxL1, weightedPred, weightedBipred, initQp, redundantPicCnt });
    }
  }

  /** The NAL types of a chunk, and the QP of each of its slices. */
  read(data: Uint8Array, lengthPrefixed: boolean): { types: number[]; sliceQps: number[] } {
    const types: number[] = [];
    const sliceQps: number[] = [];
    for (const nal of nalUnits(data, lengthPrefixed)) {
      const type = nal[0]! & 0x1f;
      types.push(type);
      if (type === NAL_SPS || type === NAL_PPS) this.#parameterSet(nal);
      if (type === 1 || type === NAL_IDR) sliceQps.push(this.#sliceQp(nal));
    }
    return { types, sliceQps };
  }

  // 7.3.3 slice_header(), as far as slice_qp_delta.
  #sliceQp(nal: Uint8Array): number {
    const refIdc = (nal[0]! >> 5) & 3;
    const idr = (nal[0]! & 0x1f) === NAL_IDR;
    const r = new Bits(nal.subarray(1));
    r.ue(); // first_mb_in_slice
    const sliceType = r.ue() % 5; // 0 P, 1 B, 2 I, 3 SP, 4 SI
    const pps = this.pps.get(r.ue());
    const sps = pps && this.sps.get(pps.spsId);
    if (!pps || !sps) throw new Error('H.264 reader: slice before its parameter sets');
    if (sps.separateColourPlanes) r.u(2); // colour_plane_id
    r.u(sps.log2MaxFrameNum); // frame_num
    let field = false;
    if (!sps.frameMbsOnly && (field = r.u(1) === 1)) r.u(1);
    if (idr) r.ue(); // idr_pic_id
    if (sps.pocType === 0) {
      r.u(sps.log2MaxPocLsb);
      if (pps.bottomFieldPicOrder && !field) r.se();
    } else if (sps.pocType === 1 && !sps.deltaPicOrderAlwaysZero) {
      r.se();
      if (pps.bottomFieldPicOrder && !field) r.se();
    }
    if (pps.redundantPicCnt) r.ue();
    const p = sliceType === 0 || sliceType === 3;
    const b = sliceType === 1;
    if (b) r.u(1); // direct_spatial_mv_pred_flag
    let refIdxL0 = pps.refIdxL0;
    let refIdxL1 = pps.refIdxL1;
    if (p || b) {
      if (r.u(1)) {
        refIdxL0 = r.ue() + 1;
        if (b) refIdxL1 = r.ue() + 1;
      }
    }
    // ref_pic_list_modification()
    for (let list = 0; list < (b ? 2 : p ? 1 : 0); list++) {
      if (!r.u(1)) continue;
      for (let idc = r.ue(); idc !== 3; idc = r.ue()) r.ue();
    }
    // pred_weight_table()
    if ((pps.weightedPred && p) || (pps.weightedBipred === 1 && b)) {
      r.ue();
      if (sps.chromaArrayType !== 0) r.ue();
      for (let list = 0; list < (b ? 2 : 1); list++) {
        for (let i = 0; i < (list === 0 ? refIdxL0 : refIdxL1); i++) {
          if (r.u(1)) (r.se(), r.se());
          if (sps.chromaArrayType !== 0 && r.u(1)) for (let j = 0; j < 4; j++) r.se();
        }
      }
    }
    // dec_ref_pic_marking()
    if (refIdc !== 0) {
      if (idr) r.u(2);
      else if (r.u(1)) {
        for (let op = r.ue(); op !== 0; op = r.ue()) {
          if (op === 1 || op === 3) r.ue();
          if (op === 2) r.ue();
          if (op === 3 || op === 6) r.ue();
          if (op === 4) r.ue();
        }
      }
    }
    if (pps.cabac && sliceType !== 2 && sliceType !== 4) r.ue(); // cabac_init_idc
    return pps.initQp + r.se();
  }
}

// ---- Running the codecs -------------------------------------------------------------------------

function descriptionOf(config: VideoDecoderConfig): Uint8Array | undefined {
  return config.description === undefined ? undefined : new Uint8Array(config.description as ArrayBuffer);
}

const frameIndex = (timestampUs: number) => Math.round(timestampUs / FRAME_US);

// ---- Tests ---------------------------------------------------------------------------------------

t.test('quantizer mode: every slice is coded at exactly the frame QP (0..51); frames without one at 26', async (t) => {
  const qps = [10, 51, 0, 33, 26, 45, 17, 40, undefined, 22, 30, 5, undefined, 38, 1, 50];
  for (const [codec, latencyMode] of [
    [BASELINE, 'realtime'],
    [HIGH, 'quality'], // B-frames, CABAC, weighted prediction: QPs follow the frames through reordering
  ] as const) {
    const { chunks, configs } = await encode([
      {
        config: { codec, width: 320, height: 240, framerate: 30, bitrateMode: 'quantizer', latencyMode },
        frames: qps.length,
        options: (i) => ({ keyFrame: i === 0, ...(qps[i] === undefined ? {} : { avc: { quantizer: qps[i]! } }) }),
      },
    ]);
    t.equal(chunks.length, qps.length, `${codec} ${latencyMode}: one chunk per frame`);
    const reader = new H264Reader(descriptionOf(configs[0]!));
    const read = chunks.map((c) => ({ index: frameIndex(c.timestamp), qps: reader.read(bytesOf(c), true).sliceQps }));
    read.sort((a, b) => a.index - b.index);
    t.same(
      read.map((r) => [...new Set(r.qps)]),
      qps.map((q) => [q ?? 26]),
      `${codec} ${latencyMode}: slice QPs ${read.map((r) => r.qps.join('/')).join(',')}`,
    );
    const { frames, error } = await decode(configs[0]!, chunks);
    t.equal(error, null, 'decodes');
    t.equal(frames.length, qps.length);
    closeAll(frames);
  }
});

t.test('quantizer mode with L1T3: exact QPs per frame, and the base layer still decodes alone', async (t) => {
  const qps = [20, 40, 30, 45, 22, 38, 28, 50, 24];
  const config = { codec: BASELINE, width: 320, height: 240, framerate: 30, bitrateMode: 'quantizer', scalabilityMode: 'L1T3' } as const;
  t.equal((await VideoEncoder.isConfigSupported(config)).supported, true, 'supported');
  const { chunks, metadata, configs } = await encode([
    { config, frames: qps.length, options: (i) => ({ keyFrame: i === 0, avc: { quantizer: qps[i]! } }) },
  ]);
  const reader = new H264Reader(descriptionOf(configs[0]!));
  t.same(
    chunks.map((c) => [...new Set(reader.read(bytesOf(c), true).sliceQps)]),
    qps.map((q) => [q]),
    'every slice at its frame QP',
  );
  t.same(metadata.map((m) => m.svc?.temporalLayerId), [0, 2, 1, 2, 0, 2, 1, 2, 0], 'L1T3 pattern');
  const base = chunks.filter((_, i) => metadata[i]!.svc?.temporalLayerId === 0);
  const { frames, error } = await decode(configs[0]!, base);
  t.equal(error, null, 'the base layer decodes alone');
  t.equal(frames.length, base.length);
  closeAll(frames);
});

for (const latencyMode of ['realtime', 'quality'] as const) {
  for (const [mode, pattern] of [
    ['L1T2', [0, 1]],
    ['L1T3', [0, 2, 1, 2]],
  ] as const) {
    t.test(`${mode} ${latencyMode}: lower layers decode alone, bit-identical to the same frames of the full stream`, async (t) => {
      const frames = 26;
      const restart = 13; // a forced key frame restarts the pattern
      const { chunks, metadata, configs } = await encode([
        {
          config: { codec: HIGH, width: 320, height: 240, framerate: 30, bitrate: 600_000, scalabilityMode: mode, latencyMode },
          frames,
          options: (i) => ({ keyFrame: i === 0 || i === restart }),
        },
      ]);
      const ids = metadata.map((m) => m.svc?.temporalLayerId);
      t.same(ids, Array.from({ length: frames }, (_, i) => pattern[(i < restart ? i : i - restart) % pattern.length]), `${mode}: ${ids.join(',')}`);
      t.same(
        chunks.map((c) => c.timestamp),
        Array.from({ length: frames }, (_, i) => i * FRAME_US),
        'no reordering: chunks come in frame order',
      );
      t.same(
        chunks.flatMap((c, i) => (c.type === 'key' ? [i] : [])),
        [0, restart],
        'key chunks only where asked',
      );
      const full = await decode(configs[0]!, chunks);
      t.equal(full.error, null, 'the full stream decodes');
      const fullPixels = new Map<number, Uint8Array>();
      for (const f of full.frames) fullPixels.set(f.timestamp, await pixelsOf(f));
      closeAll(full.frames);
      for (let top = 0; top < pattern.length - 1 && top < 2; top++) {
        const subset = chunks.filter((_, i) => ids[i]! <= top);
        const { frames: decoded, error } = await decode(configs[0]!, subset);
        t.equal(error, null, `layers 0..${top} decode without the others`);
        t.equal(decoded.length, subset.length, `layers 0..${top}: a frame for every chunk`);
        let identical = 0;
        let minPsnr = Infinity;
        for (const f of decoded) {
          const pixels = await pixelsOf(f);
          const reference = fullPixels.get(f.timestamp);
          if (reference !== undefined && Buffer.compare(pixels, reference) === 0) identical++;
          minPsnr = Math.min(minPsnr, psnr(pixels, i420Pattern(320, 240, frameIndex(f.timestamp))));
        }
        closeAll(decoded);
        t.equal(identical, subset.length, `layers 0..${top}: ${identical}/${subset.length} frames identical to the full decode`);
        t.ok(minPsnr >= 30, `layers 0..${top}: PSNR min ${minPsnr.toFixed(2)} dB`);
      }
    });
  }
}

t.test('avc format: avcC description with SPS/PPS, length-prefixed chunks without parameter sets', async (t) => {
  const { chunks, configs } = await encode([{ config: { codec: BASELINE, width: 320, height: 240, avc: { format: 'avc' } }, frames: 12 }]);
  const description = descriptionOf(configs[0]!);
  t.ok(description !== undefined && description[0] === 1, 'avcC version 1');
  t.equal(description![1], 0x42, 'avcC profile is baseline');
  const reader = new H264Reader(description);
  t.equal(reader.sps.size, 1, 'one SPS');
  t.equal(reader.pps.size, 1, 'one PPS');
  for (const [i, chunk] of chunks.entries()) {
    const { types } = reader.read(bytesOf(chunk), true);
    t.notOk(types.includes(NAL_SPS) || types.includes(NAL_PPS), `chunk ${i}: no in-band parameter sets (${types.join(',')})`);
    t.equal(types.includes(NAL_IDR), chunk.type === 'key', `chunk ${i}: IDR iff key`);
  }
  const { frames, error } = await decode(configs[0]!, chunks);
  t.equal(error, null);
  t.equal(frames.length, 12);
  closeAll(frames);
});

t.test('annexb format: no description, start codes, SPS/PPS in every key chunk', async (t) => {
  const { chunks, configs } = await encode([
    { config: { codec: BASELINE, width: 320, height: 240, avc: { format: 'annexb' } }, frames: 12, options: (i) => ({ keyFrame: i % 6 === 0 }) },
  ]);
  t.equal(configs[0]!.description, undefined, 'no description');
  const reader = new H264Reader();
  for (const [i, chunk] of chunks.entries()) {
    const data = bytesOf(chunk);
    t.ok(data[0] === 0 && data[1] === 0 && (data[2] === 1 || (data[2] === 0 && data[3] === 1)), `chunk ${i} starts with a start code`);
    const { types } = reader.read(data, false);
    if (chunk.type === 'key') t.ok(types.includes(NAL_SPS) && types.includes(NAL_PPS) && types.includes(NAL_IDR), `key chunk ${i}: ${types.join(',')}`);
    else t.notOk(types.includes(NAL_IDR), `delta chunk ${i} has no IDR`);
  }
  t.same(chunks.flatMap((c, i) => (c.type === 'key' ? [i] : [])), [0, 6]);
  // A decoder can start at the second key chunk.
  const { frames, error } = await decode(configs[0]!, chunks.slice(6));
  t.equal(error, null, 'decodes from the second key chunk');
  t.equal(frames.length, 6);
  closeAll(frames);
});

t.test('keyFrame: true gives an IDR chunk, also between B-frames, and a decoder can start there', async (t) => {
  const keys = [0, 7, 19];
  for (const [codec, latencyMode] of [
    [BASELINE, 'realtime'],
    [HIGH, 'quality'],
  ] as const) {
    const { chunks, configs } = await encode([
      { config: { codec, width: 320, height: 240, framerate: 30, latencyMode }, frames: 30, options: (i) => ({ keyFrame: keys.includes(i) }) },
    ]);
    const reader = new H264Reader(descriptionOf(configs[0]!));
    const idr = chunks.filter((c) => reader.read(bytesOf(c), true).types.includes(NAL_IDR)).map((c) => frameIndex(c.timestamp));
    t.same(idr, keys, `${codec} ${latencyMode}: IDR pictures at ${idr.join(',')}`);
    t.same(
      chunks.filter((c) => c.type === 'key').map((c) => frameIndex(c.timestamp)),
      keys,
      'exactly those chunks are key chunks',
    );
    const from = chunks.findIndex((c) => frameIndex(c.timestamp) === 7);
    const { frames, error } = await decode(configs[0]!, chunks.slice(from));
    t.equal(error, null, 'decodes from the key chunk of frame 7');
    t.same(
      frames.map((f) => frameIndex(f.timestamp)),
      Array.from({ length: 23 }, (_, i) => i + 7),
      'every frame from 7 on, in order',
    );
    let minPsnr = Infinity;
    for (const f of frames) minPsnr = Math.min(minPsnr, psnr(await pixelsOf(f), i420Pattern(320, 240, frameIndex(f.timestamp))));
    closeAll(frames);
    t.ok(minPsnr >= 32, `PSNR min ${minPsnr.toFixed(2)} dB`);
  }
});

t.test('reconfigure mid-stream: size, layers and rate control change; each part decodes with its own config', async (t) => {
  const qp = 30;
  const { chunks, metadata, configs } = await encode([
    { config: { codec: BASELINE, width: 320, height: 240, bitrate: 500_000, latencyMode: 'realtime' }, frames: 8 },
    { config: { codec: HIGH, width: 160, height: 96, scalabilityMode: 'L1T3', latencyMode: 'quality' }, frames: 8 },
    { config: { codec: HIGH, width: 320, height: 240, bitrateMode: 'quantizer', avc: { format: 'annexb' } }, frames: 8, options: (i) => ({ keyFrame: i === 0, avc: { quantizer: qp } }) },
  ]);
  t.equal(chunks.length, 24, 'one chunk per frame');
  t.same(
    configs.map((c) => [c.codec, c.codedWidth, c.codedHeight, c.description === undefined ? 'annexb' : 'avc']),
    [
      [BASELINE, 320, 240, 'avc'],
      [HIGH, 160, 96, 'avc'],
      [HIGH, 320, 240, 'annexb'],
    ],
    'a decoderConfig per configuration',
  );
  const starts = metadata.flatMap((m, i) => (m.decoderConfig ? [i] : []));
  t.same(starts, [0, 8, 16], 'each configuration starts with its decoderConfig');
  t.ok(starts.every((i) => chunks[i]!.type === 'key'), 'and with a key chunk');
  t.same(metadata.slice(8, 16).map((m) => m.svc?.temporalLayerId), [0, 2, 1, 2, 0, 2, 1, 2], 'L1T3 in the second part only');
  t.ok(metadata.slice(0, 8).every((m) => m.svc === undefined) && metadata.slice(16).every((m) => m.svc === undefined));
  const reader = new H264Reader();
  t.ok(
    chunks.slice(16).every((c) => reader.read(bytesOf(c), false).sliceQps.every((q) => q === qp)),
    `third part: every slice at QP ${qp}`,
  );
  for (const [part, start] of starts.entries()) {
    const { frames, error } = await decode(configs[part]!, chunks.slice(start, start + 8));
    t.equal(error, null, `part ${part} decodes`);
    t.equal(frames.length, 8);
    const width = configs[part]!.codedWidth!;
    const height = configs[part]!.codedHeight!;
    let minPsnr = Infinity;
    for (const f of frames) minPsnr = Math.min(minPsnr, psnr(await pixelsOf(f), i420Pattern(width, height, frameIndex(f.timestamp))));
    closeAll(frames);
    t.ok(minPsnr >= 28, `part ${part}: PSNR min ${minPsnr.toFixed(2)} dB`);
  }
});

t.test('bitrate modes: variable and constant stay near the target, constant without bursts', async (t) => {
  const target = 300_000;
  const seconds = 3;
  for (const latencyMode of ['realtime', 'quality'] as const) {
    for (const bitrateMode of ['variable', 'constant'] as const) {
      const { chunks } = await encode([
        { config: { codec: BASELINE, width: 320, height: 240, framerate: 30, bitrate: target, bitrateMode, latencyMode }, frames: 30 * seconds },
      ]);
      const bits = chunks.reduce((sum, c) => sum + c.byteLength * 8, 0);
      const ratio = bits / seconds / target;
      t.ok(ratio > 0.7 && ratio < 1.4, `${latencyMode} ${bitrateMode}: ${(bits / seconds / 1000).toFixed(0)} kbit/s for ${target / 1000} (x${ratio.toFixed(2)})`);
      if (bitrateMode === 'constant') {
        // After the first second (the VBV buffer starts 90% full), each second stays near the rate.
        for (let s = 1; s < seconds; s++) {
          const window = chunks.filter((c) => Math.floor(c.timestamp / 1e6) === s).reduce((sum, c) => sum + c.byteLength * 8, 0);
          t.ok(window / target < 1.25, `${latencyMode} constant: second ${s} ${(window / 1000).toFixed(0)} kbit`);
        }
      }
    }
  }
  // No bitrate: constant quality (x264's CRF 23), which this clip needs far more than 300 kbit/s for.
  const { chunks, configs } = await encode([{ config: { codec: BASELINE, width: 320, height: 240, framerate: 30 }, frames: 30 }]);
  const kbps = chunks.reduce((sum, c) => sum + c.byteLength * 8, 0) / 1000;
  t.ok(kbps > 400, `no bitrate: ${kbps.toFixed(0)} kbit/s at constant quality`);
  const { frames, error } = await decode(configs[0]!, chunks);
  t.equal(error, null);
  let minPsnr = Infinity;
  for (const f of frames) minPsnr = Math.min(minPsnr, psnr(await pixelsOf(f), i420Pattern(320, 240, frameIndex(f.timestamp))));
  closeAll(frames);
  t.ok(minPsnr >= 35, `no bitrate: PSNR min ${minPsnr.toFixed(2)} dB`);
});
