// The direct libaom encoder (native/aom_frame_encoder.cc): what FFmpeg's libaom-av1 wrapper could
// not do (each frame's quantizer read back from the bitstream, real temporal layers whose base
// layer decodes alone, with the layer ids in the OBU extension headers), and what it must keep
// doing (10-bit and 4:4:4, forced key frames, bitrate targets).
import t from 'tap';
import { EncodedVideoChunk, VideoEncoder, VideoFrame, type VideoEncoderConfig, type VideoEncoderEncodeOptions } from '../../src/index.js';
import { isKeyChunk } from '../../src/codecs/config/key-chunk.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { chunkBytes as bytesOf, closeAll, decodeUntilError as decode, encodeSegments } from '../helpers/codecs.js';
import { i420Pattern, pixelsOf, psnr } from '../helpers/media.js';

checkNoLiveFramesAfterEach(t);

const AV1 = 'av01.0.04M.08';
const FRAME_US = 33333;

/** Encodes `frames` pattern frames with one configuration; `config` is the first decoderConfig. */
async function encode(
  config: VideoEncoderConfig,
  frames: number,
  options: (i: number) => VideoEncoderEncodeOptions = (i) => ({ keyFrame: i === 0 }),
) {
  const { chunks, metadata, configs } = await encodeSegments([{ config, frames, options }]);
  return { chunks, metadata, config: configs[0]! };
}

/** Luma PSNR of a decoded frame (8- or 10-bit, any chroma format) against the source picture. */
async function lumaPsnr(frame: VideoFrame, width: number, height: number): Promise<number> {
  const pixels = await pixelsOf(frame);
  const source = i420Pattern(width, height, Math.round(frame.timestamp / FRAME_US)).subarray(0, width * height);
  if (!frame.format!.includes('P10')) return psnr(pixels.subarray(0, width * height), source);
  // 10-bit samples are 2 bytes, little endian; the encoder's input was the 8-bit source scaled by 4.
  const luma = new Uint8Array(width * height);
  for (let i = 0; i < luma.length; i++) luma[i] = Math.min(255, Math.round((pixels[2 * i]! | (pixels[2 * i + 1]! << 8)) / 4));
  return psnr(luma, source);
}

// --- A reader for the few AV1 header fields these tests check (AV1 spec 5.3, 5.5, 5.9). ---

class Bits {
  #pos = 0;
  constructor(private readonly data: Uint8Array) {}
  f(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++, this.#pos++) {
      if (this.#pos >> 3 >= this.data.length) throw new Error('AV1 header runs past its OBU');
      value = value * 2 + ((this.data[this.#pos >> 3]! >> (7 - (this.#pos & 7))) & 1);
    }
    return value;
  }
  uvlc(): number {
    let zeros = 0;
    while (this.f(1) === 0) zeros++;
    return zeros >= 32 ? 2 ** 32 - 1 : this.f(zeros) + 2 ** zeros - 1;
  }
}

interface Obu {
  type: number;
  temporalId: number | undefined;
  payload: Uint8Array;
}

function obusOf(data: Uint8Array): Obu[] {
  const obus: Obu[] = [];
  let i = 0;
  while (i < data.length) {
    const header = data[i++]!;
    const type = (header >> 3) & 0xf;
    const temporalId = (header & 4) !== 0 ? data[i++]! >> 5 : undefined;
    let size = data.length - i;
    if ((header & 2) !== 0) {
      size = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = data[i++]!;
        size += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) break;
      }
    }
    obus.push({ type, temporalId, payload: data.subarray(i, i + size) });
    i += size;
  }
  return obus;
}

/** What the frame header parse needs from the sequence header. */
interface SequenceHeader {
  reduced: boolean;
  decoderModel: boolean;
  frameIdBits: number; // 0: no frame ids
  widthBits: number;
  heightBits: number;
  maxWidth: number;
  maxHeight: number;
  sb128: boolean;
  orderHintBits: number;
  screenContent: number; // 0, 1 or 2 (SELECT)
  integerMv: number; // 0, 1 or 2 (SELECT)
  superres: boolean;
}

function parseSequenceHeader(payload: Uint8Array): SequenceHeader {
  const b = new Bits(payload);
  b.f(3); // seq_profile
  b.f(1); // still_picture
  const reduced = b.f(1) === 1;
  let decoderModel = false;
  if (reduced) {
    b.f(5); // seq_level_idx[0]
  } else {
    let bufferDelayBits = 0;
    if (b.f(1) === 1) {
      // timing_info
      b.f(32);
      b.f(32);
      if (b.f(1) === 1) b.uvlc();
      decoderModel = b.f(1) === 1;
      if (decoderModel) {
        bufferDelayBits = b.f(5) + 1;
        b.f(32);
        b.f(5);
        b.f(5);
      }
    }
    const initialDisplayDelay = b.f(1) === 1;
    const operatingPoints = b.f(5) + 1;
    for (let i = 0; i < operatingPoints; i++) {
      b.f(12); // operating_point_idc
      if (b.f(5) > 7) b.f(1); // seq_level_idx, seq_tier
      if (decoderModel && b.f(1) === 1) {
        b.f(bufferDelayBits);
        b.f(bufferDelayBits);
        b.f(1);
      }
      if (initialDisplayDelay && b.f(1) === 1) b.f(4);
    }
  }
  const widthBits = b.f(4) + 1;
  const heightBits = b.f(4) + 1;
  const maxWidth = b.f(widthBits) + 1;
  const maxHeight = b.f(heightBits) + 1;
  let frameIdBits = 0;
  if (!reduced && b.f(1) === 1) {
    const delta = b.f(4) + 2;
    frameIdBits = b.f(3) + 1 + delta;
  }
  const sb128 = b.f(1) === 1;
  b.f(1); // enable_filter_intra
  b.f(1); // enable_intra_edge_filter
  let orderHintBits = 0;
  let screenContent = 2;
  let integerMv = 2;
  if (!reduced) {
    b.f(4); // interintra, masked compound, warped motion, dual filter
    const orderHint = b.f(1) === 1;
    if (orderHint) b.f(2); // jnt_comp, ref_frame_mvs
    screenContent = b.f(1) === 1 ? 2 : b.f(1);
    integerMv = screenContent > 0 ? (b.f(1) === 1 ? 2 : b.f(1)) : 2;
    if (orderHint) orderHintBits = b.f(3) + 1;
  }
  const superres = b.f(1) === 1;
  return { reduced, decoderModel, frameIdBits, widthBits, heightBits, maxWidth, maxHeight, sb128, orderHintBits, screenContent, integerMv, superres };
}

/** operating_points_cnt_minus_1 + 1 of the sequence header in a key chunk. */
function operatingPoints(chunk: EncodedVideoChunk): number {
  const seq = obusOf(bytesOf(chunk)).find((o) => o.type === 1)!;
  const b = new Bits(seq.payload);
  b.f(3);
  b.f(1);
  if (b.f(1) === 1 || b.f(1) === 1) throw new Error('reduced or timing info: not read here');
  b.f(1); // initial_display_delay_present_flag
  return b.f(5) + 1;
}

function tileLog2(block: number, target: number): number {
  let k = 0;
  while (block << k < target) k++;
  return k;
}

/** base_q_idx of a shown key or intra-only frame (the header fields before it are simple there). */
function intraBaseQIndex(seq: SequenceHeader, payload: Uint8Array): number {
  if (seq.decoderModel || seq.superres) throw new Error('the test parser does not read decoder model or superres headers');
  const b = new Bits(payload);
  let frameType = 0;
  let showFrame = 1;
  if (!seq.reduced) {
    if (b.f(1) === 1) throw new Error('show_existing_frame');
    frameType = b.f(2);
    showFrame = b.f(1);
    if (!showFrame) b.f(1); // showable_frame
    if (!(frameType === 0 && showFrame)) b.f(1); // error_resilient_mode
  }
  if (frameType !== 0 && frameType !== 2) throw new Error(`frame_type ${frameType} is not intra`);
  b.f(1); // disable_cdf_update
  const screenContent = seq.screenContent === 2 ? b.f(1) : seq.screenContent;
  if (screenContent && seq.integerMv === 2) b.f(1); // force_integer_mv
  if (seq.frameIdBits > 0) b.f(seq.frameIdBits);
  const sizeOverride = seq.reduced ? 0 : b.f(1);
  b.f(seq.orderHintBits);
  const refresh = frameType === 0 && showFrame ? 0xff : b.f(8);
  if (refresh !== 0xff) throw new Error('intra-only frames with ref_order_hint are not read');
  const width = sizeOverride ? b.f(seq.widthBits) + 1 : seq.maxWidth;
  const height = sizeOverride ? b.f(seq.heightBits) + 1 : seq.maxHeight;
  if (b.f(1) === 1) b.f(32); // render size
  if (screenContent) b.f(1); // allow_intrabc
  b.f(1); // disable_frame_end_update_cdf (read: disable_cdf_update is 0 or 1, reduced is 0)
  // tile_info, uniform spacing (what libaom writes unless asked for explicit tile sizes)
  const miCols = 2 * ((width + 7) >> 3);
  const miRows = 2 * ((height + 7) >> 3);
  const sbCols = seq.sb128 ? (miCols + 31) >> 5 : (miCols + 15) >> 4;
  const sbRows = seq.sb128 ? (miRows + 31) >> 5 : (miRows + 15) >> 4;
  const sbSize = (seq.sb128 ? 5 : 4) + 2;
  const minLog2Cols = tileLog2(4096 >> sbSize, sbCols);
  const maxLog2Cols = tileLog2(1, Math.min(sbCols, 64));
  const maxLog2Rows = tileLog2(1, Math.min(sbRows, 64));
  const minLog2Tiles = Math.max(minLog2Cols, tileLog2((4096 * 2304) >> (2 * sbSize), sbRows * sbCols));
  if (b.f(1) !== 1) throw new Error('non-uniform tile spacing is not read');
  let colsLog2 = minLog2Cols;
  while (colsLog2 < maxLog2Cols && b.f(1) === 1) colsLog2++;
  let rowsLog2 = Math.max(minLog2Tiles - colsLog2, 0);
  while (rowsLog2 < maxLog2Rows && b.f(1) === 1) rowsLog2++;
  if (colsLog2 > 0 || rowsLog2 > 0) {
    b.f(colsLog2 + rowsLog2); // context_update_tile_id
    b.f(2); // tile_size_bytes_minus_1
  }
  return b.f(8);
}

/** Each chunk's base_q_idx (chunks of shown key frames, each carrying its sequence header). */
function keyFrameQIndices(chunks: EncodedVideoChunk[]): number[] {
  return chunks.map((chunk) => {
    const obus = obusOf(bytesOf(chunk));
    const seq = obus.find((o) => o.type === 1);
    const frame = obus.find((o) => o.type === 6 || o.type === 3);
    if (seq === undefined || frame === undefined) throw new Error('a key chunk without sequence or frame header');
    return intraBaseQIndex(parseSequenceHeader(seq.payload), frame.payload);
  });
}

// The AV1 registration's quantizer is the quantizer index (0..255). libaom codes a frame at one of
// 64 indices (its quantizer_to_qindex: 4q up to q = 61, then 249 and 255); the nearest is used.
const CODED_INDICES = [...Array.from({ length: 62 }, (_, q) => q * 4), 249, 255];
const QINDEX = (index: number) => CODED_INDICES.reduce((best, c) => (Math.abs(c - index) < Math.abs(best - index) ? c : best));

t.test('quantizer mode: every frame is coded at its av1.quantizer index (base_q_idx read from the bitstream)', async (t) => {
  // Exact where libaom has the index; the nearest coded index otherwise (21 -> 20, 131 -> 132, 251 -> 249).
  const quantizers = [0, 21, 60, 131, 180, 240, 251, 255, 80];
  for (const latencyMode of ['realtime', 'quality'] as const) {
    const config: VideoEncoderConfig = { codec: AV1, width: 160, height: 96, bitrateMode: 'quantizer', latencyMode };
    t.equal((await VideoEncoder.isConfigSupported(config)).supported, true);
    // A frame without a quantizer takes the default, 32 (qindex 128).
    const { chunks } = await encode(config, quantizers.length + 1, (i) => ({ keyFrame: true, ...(i < quantizers.length ? { av1: { quantizer: quantizers[i] } } : {}) }));
    chunks.sort((a, b) => a.timestamp - b.timestamp);
    t.same(keyFrameQIndices(chunks), [...quantizers.map(QINDEX), 128], `${latencyMode}: base_q_idx follows the quantizers`);
    const sizes = chunks.slice(1, 8).map((c) => c.byteLength);
    t.ok(sizes.every((s, i) => i === 0 || s < sizes[i - 1]!), `${latencyMode}: sizes ${sizes.join(' > ')}`);
  }
});

t.test('av1.quantizer is validated as the AV1 registration says (0..255) and ignored outside quantizer mode', async (t) => {
  const encoder = new VideoEncoder({ output: () => {}, error: () => {} });
  encoder.configure({ codec: AV1, width: 160, height: 96, bitrateMode: 'quantizer' });
  const frame = new VideoFrame(i420Pattern(160, 96, 0), { format: 'I420', codedWidth: 160, codedHeight: 96, timestamp: 0 });
  for (const quantizer of [256, -1, 1.5]) t.throws(() => encoder.encode(frame, { av1: { quantizer } }), TypeError, `quantizer ${quantizer}`);
  t.doesNotThrow(() => encoder.encode(frame, { av1: { quantizer: 255 } }), 'quantizer 255');
  encoder.configure({ codec: AV1, width: 160, height: 96 });
  t.doesNotThrow(() => encoder.encode(frame, { av1: { quantizer: 256 } }), 'not quantizer mode: ignored');
  await encoder.flush();
  frame.close();
  encoder.close();
  t.equal((await VideoEncoder.isConfigSupported({ codec: AV1, width: 160, height: 96, bitrateMode: 'quantizer', scalabilityMode: 'L1T2' })).supported, false, 'quantizer mode with layers');
});

t.test('10-bit and 4:4:4 profiles round trip in their own formats', async (t) => {
  for (const [codec, format] of [
    ['av01.0.04M.10', 'I420P10'],
    ['av01.1.04M.08', 'I444'],
    ['av01.1.04M.10', 'I444P10'],
  ] as const) {
    for (const latencyMode of ['realtime', 'quality'] as const) {
      const { chunks, config } = await encode({ codec, width: 160, height: 96, bitrate: 600_000, latencyMode }, 6);
      const { frames, error } = await decode(config, chunks);
      t.equal(error, null, `${codec} ${latencyMode}: decodes`);
      t.equal(frames.length, 6);
      t.equal(frames[0]!.format, format, `${codec}: decoded as ${format}`);
      let min = Infinity;
      for (const frame of frames) min = Math.min(min, await lumaPsnr(frame, 160, 96));
      t.ok(min >= 30, `${codec} ${latencyMode}: luma PSNR min ${min.toFixed(2)} dB >= 30`);
      closeAll(frames);
    }
  }
});

t.test('temporal layers: ids in metadata and OBU extension headers, and the lower layers decode alone to the same pictures', async (t) => {
  for (const [mode, pattern] of [
    ['L1T2', [0, 1]],
    ['L1T3', [0, 2, 1, 2]],
  ] as const) {
    for (const latencyMode of ['realtime', 'quality'] as const) {
      const label = `${mode} ${latencyMode}`;
      // A forced key frame at 10 restarts the pattern.
      const { chunks, metadata, config } = await encode(
        { codec: AV1, width: 160, height: 96, bitrate: 300_000, scalabilityMode: mode, latencyMode },
        20,
        (i) => ({ keyFrame: i === 0 || i === 10 }),
      );
      const ids = metadata.map((m) => m.svc?.temporalLayerId);
      t.same(ids, Array.from({ length: 20 }, (_, i) => pattern[(i < 10 ? i : i - 10) % pattern.length]), `${label}: ${ids.join(',')}`);
      // The sequence header lists one operating point per layer; libaom writes the extension
      // header on upper-layer OBUs only (an OBU without one has temporal_id 0).
      const obuIds = chunks.map((c) => [...new Set(obusOf(bytesOf(c)).filter((o) => o.type === 6 || o.type === 3).map((o) => o.temporalId ?? 0))]);
      t.same(obuIds, ids.map((id) => [id]), `${label}: frame OBUs carry temporal_id`);
      t.equal(operatingPoints(chunks[0]!), pattern.length === 2 ? 2 : 3, `${label}: one operating point per layer`);
      t.same(chunks.map((c) => c.type === 'key'), ids.map((_, i) => i === 0 || i === 10), `${label}: key frames only where asked`);

      const full = await decode(config, chunks);
      t.equal(full.error, null, `${label}: the whole stream decodes`);
      const fullPixels = new Map<number, Uint8Array>();
      for (const frame of full.frames) fullPixels.set(frame.timestamp, await pixelsOf(frame));
      let fullPsnr = 0;
      for (const frame of full.frames) fullPsnr += await lumaPsnr(frame, 160, 96);
      fullPsnr /= full.frames.length;
      closeAll(full.frames);
      for (let top = 0; top < pattern.length - 1 && top < 2; top++) {
        const subset = chunks.filter((_, i) => ids[i]! <= top);
        const { frames, error } = await decode(config, subset);
        t.equal(error, null, `${label}: layers 0..${top} decode without the others`);
        t.equal(frames.length, subset.length);
        let sum = 0;
        let identical = true;
        for (const frame of frames) {
          sum += await lumaPsnr(frame, 160, 96);
          const pixels = await pixelsOf(frame);
          const reference = fullPixels.get(frame.timestamp)!;
          identical &&= pixels.length === reference.length && pixels.every((v, i) => v === reference[i]);
        }
        t.ok(identical, `${label} layers 0..${top}: the same pictures as in the full decode`);
        const mean = sum / frames.length;
        t.ok(mean >= 28 && mean >= fullPsnr - 3, `${label} layers 0..${top}: PSNR ${mean.toFixed(2)} dB (all layers ${fullPsnr.toFixed(2)} dB)`);
        closeAll(frames);
      }
    }
  }
});

t.test('temporal layers: the encoder-placed key frames (every 250 frames) fall on base-layer frames', async (t) => {
  const { chunks, metadata } = await encode({ codec: AV1, width: 64, height: 64, bitrate: 100_000, scalabilityMode: 'L1T3', latencyMode: 'realtime' }, 262);
  const keys = chunks.flatMap((c, i) => (c.type === 'key' ? [i] : []));
  // Frame 250 is on layer 1 (250 % 4 = 2): the key frame waits for the next base-layer frame.
  t.same(keys, [0, 252], `key frames at ${keys.join(', ')}`);
  t.ok(keys.every((i) => metadata[i]!.svc?.temporalLayerId === 0), 'on layer 0');
});

t.test('keyFrame: forced key chunks are key frames in the bitstream, and decoding can start there', async (t) => {
  for (const latencyMode of ['realtime', 'quality'] as const) {
    const { chunks, config } = await encode({ codec: AV1, width: 160, height: 96, latencyMode }, 14, (i) => ({ keyFrame: i === 0 || i === 7 }));
    chunks.sort((a, b) => a.timestamp - b.timestamp);
    t.equal(chunks[7]!.type, 'key', `${latencyMode}: frame 7 is a key chunk`);
    t.ok(chunks.every((c) => isKeyChunk('av1', bytesOf(c), undefined) === (c.type === 'key')), `${latencyMode}: chunk types match the bitstream`);
    const { frames, error } = await decode(config, chunks.slice(7));
    t.equal(error, null, `${latencyMode}: decoding starts at the forced key frame`);
    t.equal(frames.length, 7);
    closeAll(frames);
  }
});

t.test('bitrate modes roughly honour the target', async (t) => {
  const target = 400_000;
  const frames = 90; // 3 s at 30 fps
  for (const latencyMode of ['realtime', 'quality'] as const) {
    for (const bitrateMode of ['constant', 'variable'] as const) {
      const { chunks } = await encode({ codec: AV1, width: 320, height: 180, framerate: 30, bitrate: target, bitrateMode, latencyMode }, frames);
      const bits = chunks.reduce((sum, c) => sum + c.byteLength * 8, 0);
      const rate = bits / (frames / 30);
      t.ok(rate > target * 0.5 && rate < target * 1.5, `${latencyMode} ${bitrateMode}: ${(rate / 1000).toFixed(0)} kbit/s for ${target / 1000}`);
    }
  }
  // Without a bitrate: constant quality (cq-level 32).
  const { chunks } = await encode({ codec: AV1, width: 320, height: 180, framerate: 30, latencyMode: 'realtime' }, 10);
  t.equal(chunks.length, 10, 'no bitrate: constant quality encodes');
});
