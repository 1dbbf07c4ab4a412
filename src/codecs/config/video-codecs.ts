// Check Configuration Support for video, in JavaScript: which FFmpeg encoder or decoder serves a
// codec string, and whether the configuration is within what it can do. What passes here is
// confirmed by opening the codec (native probeConfig / configure), so isConfigSupported never
// answers true for a configuration that then fails.
//
// One table row per codec family says what its encoder can honour; the native side
// (native/video_encoder_core.cc) has the matching row of encoder settings.
import type { NativeConfig } from '../../native.js';
import { native } from '../../native.js';
import { colorSpaceToFFmpeg } from '../video-color-space.js';
import { parseVideoCodecString, videoLevelLimits, type ParsedVideoCodec } from './codec-string/index.js';
import type { VideoDecoderConfig } from './video-decoder-config.js';
import type { VideoEncoderConfig } from './video-encoder-config.js';

export type Plan = { supported: true; native: NativeConfig; parsed: ParsedVideoCodec } | { supported: false; reason: string };

const unsupported = (reason: string): Plan => ({ supported: false, reason });

type Kind = ParsedVideoCodec['kind'];

/** Temporal layers per scalabilityMode (spatial modes are not supported by any encoder here). */
const TEMPORAL_LAYERS: ReadonlyMap<string, number> = new Map([
  ['L1T1', 1],
  ['L1T2', 2],
  ['L1T3', 3],
]);

/** What the encoded picture is made of: the encoder's input pixel format, named as WebCodecs does. */
interface Sampling {
  pixelFormat: string;
  bitDepth: number;
}

interface EncoderRow {
  /** FFmpeg encoder. */
  encoder: string;
  /** Why this codec string cannot be encoded, or the sampling it asks for. */
  sampling(parsed: ParsedVideoCodec): Sampling | string;
  /** 4:2:0 H.264/HEVC code whole chroma samples, so odd sizes are refused; VPx/AV1 crop. */
  evenDimensions: boolean;
  /** Largest number of temporal layers the encoder really produces (reference structure included). */
  maxTemporalLayers: number;
  /** The registration defines a per-frame quantizer and the encoder honours it per frame. */
  quantizer: boolean;
  /** The per-frame quantizer also holds with temporal layers (libvpx's and libaom's layered rate
   * control fix per-layer quantizer bounds; x264 takes a QP per picture either way). */
  quantizerWithLayers: boolean;
  /** alpha: 'keep' is encoded (as alpha side data). */
  alpha: boolean;
  /** Codec-specific native settings. */
  native(parsed: ParsedVideoCodec, config: VideoEncoderConfig): NativeConfig;
}

const I420: Sampling = { pixelFormat: 'I420', bitDepth: 8 };
const I420P10: Sampling = { pixelFormat: 'I420P10', bitDepth: 10 };

/** Pixel format for a bit depth and chroma subsampling (VP9/AV1 name both in the codec string). */
function samplingOf(bitDepth: number, chroma: '420' | '422' | '444'): Sampling {
  const base = chroma === '420' ? 'I420' : chroma === '422' ? 'I422' : 'I444';
  return { pixelFormat: bitDepth === 8 ? base : `${base}P${bitDepth}`, bitDepth };
}

// Encoder choices. AV1 is libaom (measured here through FFmpeg's libaom-av1 wrapper; now driven
// directly), measured against libsvtav1 (SVT-AV1 1.4.1) on this machine
// (2 cores) encoding 60 frames of 640x360 at 1 Mbit/s:
//   realtime: libaom usage=realtime cpu-used=8 0.40 s, 34.7 dB; SVT preset 12 low-delay 0.30 s, 34.5 dB
//   quality:  libaom usage=good cpu-used=6     2.93 s, 35.3 dB at 271 KB; SVT preset 8 1.40 s, 35.2 dB at 213 KB
// SVT wins on quality-mode speed, but with FFmpeg 5.1 it hangs in avcodec_free_context when the
// encoder is closed before end of stream ("deinit called without sending EOS"), which reset(),
// close() and every isConfigSupported() probe do, and its low-delay mode is marked
// work-in-progress in 1.4.1. libaom opens in ~1 ms, closes at any time and has a real-time mode.
const ENCODERS: Readonly<Record<Kind, EncoderRow>> = {
  avc: {
    // libx264 directly (native/x264_frame_encoder.cc): per-frame QP and reference invalidation
    // for temporal layers, which FFmpeg 5.1's libx264 wrapper does not expose.
    encoder: 'x264',
    sampling(parsed) {
      const p = parsed as Extract<ParsedVideoCodec, { kind: 'avc' }>;
      // x264 as configured here produces constrained baseline, main and high (8-bit 4:2:0).
      if (p.profile === 66 || p.profile === 77 || p.profile === 100) return I420;
      return `H.264 profile ${p.profile} cannot be encoded here; use baseline (42), main (4D) or high (64)`;
    },
    evenDimensions: true,
    // Upper-layer frames are kept out of lower layers' references (L1T2, L1T3).
    maxTemporalLayers: 3,
    quantizer: true,
    quantizerWithLayers: true,
    alpha: false,
    native(parsed) {
      const p = parsed as Extract<ParsedVideoCodec, { kind: 'avc' }>;
      return { profile: p.profile, level: p.level };
    },
  },
  hevc: {
    encoder: 'libx265',
    sampling(parsed) {
      const p = parsed as Extract<ParsedVideoCodec, { kind: 'hevc' }>;
      if (p.profileSpace !== 0) return 'HEVC profile spaces other than 0 cannot be encoded';
      if (p.profile === 1) return I420;
      if (p.profile === 2) return I420P10;
      return `HEVC profile ${p.profile} cannot be encoded here; use Main (1) or Main 10 (2)`;
    },
    evenDimensions: true,
    maxTemporalLayers: 1,
    quantizer: true,
    quantizerWithLayers: false,
    alpha: false,
    native(parsed, config) {
      const p = parsed as Extract<ParsedVideoCodec, { kind: 'hevc' }>;
      return { profile: p.profile, level: p.level, tier: p.tier, format: config.hevc?.format ?? 'hevc' };
    },
  },
  vp8: {
    encoder: 'libvpx',
    sampling: () => I420,
    evenDimensions: false,
    maxTemporalLayers: 3,
    // The VP8 registration defines no per-frame quantizer option.
    quantizer: false,
    quantizerWithLayers: false,
    alpha: true,
    native: () => ({}),
  },
  vp9: {
    encoder: 'libvpx-vp9',
    sampling(parsed) {
      const p = parsed as Extract<ParsedVideoCodec, { kind: 'vp9' }>;
      // Binding chromaSubsampling: 0/1 4:2:0, 2 4:2:2, 3 4:4:4; without it, profiles 1 and 3 mean 4:4:4.
      const chroma = p.chromaSubsampling ?? (p.profile === 1 || p.profile === 3 ? 3 : 0);
      return samplingOf(p.bitDepth, chroma <= 1 ? '420' : chroma === 2 ? '422' : '444');
    },
    evenDimensions: false,
    maxTemporalLayers: 3,
    quantizer: true,
    quantizerWithLayers: false,
    alpha: true,
    native(parsed) {
      return { profile: (parsed as Extract<ParsedVideoCodec, { kind: 'vp9' }>).profile };
    },
  },
  av1: {
    // libaom through its own API (native/aom_frame_encoder.cc), not FFmpeg's libaom-av1 wrapper,
    // which has no per-frame quantizer and no SVC controls.
    encoder: 'aom',
    sampling(parsed) {
      const p = parsed as Extract<ParsedVideoCodec, { kind: 'av1' }>;
      if (p.tier === 'high') return 'AV1 high tier cannot be encoded here; use main tier (M)';
      if (p.monochrome === true) return 'monochrome AV1 cannot be encoded from colour frames';
      if (p.profile === 0) return samplingOf(p.bitDepth, '420');
      if (p.profile === 1) return samplingOf(p.bitDepth, '444');
      return 'AV1 professional profile (2) cannot be encoded here; use main (0) or high (1)';
    },
    evenDimensions: false,
    // libaom's own SVC (native/aom_frame_encoder.cc): layer ids in the OBU extension headers and
    // per-frame reference slots, so lower layers decode without the upper ones.
    maxTemporalLayers: 3,
    // Each frame is coded at exactly its quantizer (libaom's 0..63 scale, base_q_idx = its qindex).
    quantizer: true,
    quantizerWithLayers: false,
    alpha: false,
    native(_parsed, config) {
      return { screenContent: config.av1?.forceScreenContentTools === true };
    },
  },
};

/** Luma block size the level limits are counted in (coded pictures are whole blocks). */
const LEVEL_BLOCK: Readonly<Partial<Record<Kind, number>>> = { avc: 16, hevc: 8 };

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

export function planVideoEncoder(config: VideoEncoderConfig): Plan {
  const parsed = parseVideoCodecString(config.codec);
  if (parsed === null) return unsupported(`"${config.codec}" is not a valid codec string (e.g. "avc1.42001f" for H.264)`);
  if (config.hardwareAcceleration === 'prefer-hardware') {
    return unsupported('hardware encoders are not available; use hardwareAcceleration "no-preference" or "prefer-software"');
  }
  const row = ENCODERS[parsed.kind];
  const sampling = row.sampling(parsed);
  if (typeof sampling === 'string') return unsupported(sampling);
  const temporalLayers = config.scalabilityMode === undefined ? 1 : TEMPORAL_LAYERS.get(config.scalabilityMode);
  if (temporalLayers === undefined || temporalLayers > row.maxTemporalLayers) {
    return unsupported(`scalabilityMode "${config.scalabilityMode}" is not supported for ${parsed.kind}`);
  }
  if (config.alpha === 'keep' && !(row.alpha && sampling.pixelFormat === 'I420')) {
    return unsupported(`alpha "keep" is not supported for ${config.codec}; use alpha "discard"`);
  }
  if (config.bitrateMode === 'quantizer' && !(row.quantizer && sampling.bitDepth === 8 && (temporalLayers === 1 || row.quantizerWithLayers))) {
    return unsupported(`bitrateMode "quantizer" is not supported for ${config.codec}: the encoder cannot take a quantizer per frame`);
  }
  if (row.evenDimensions && (config.width % 2 !== 0 || config.height % 2 !== 0)) {
    return unsupported(`${parsed.kind} 4:2:0 needs an even width and height`);
  }
  // Check Configuration Support 3.2: an encoder must be able to stay at or below the codec
  // string's level, which no encoder can for a picture larger than the level allows. The frame
  // rate is not checked: `framerate` is the expected rate, a hint for rate control, and the level's
  // sample-rate limit depends on the frames' actual timestamps (libraries pick levels from the
  // picture size and pass a nominal frame rate; browsers accept them).
  const limits = videoLevelLimits(parsed);
  if (limits !== null) {
    const block = LEVEL_BLOCK[parsed.kind] ?? 1;
    const width = roundUp(config.width, block);
    const height = roundUp(config.height, block);
    const area = width * height;
    if (area > limits.maxPictureSize || (limits.maxDimension !== undefined && Math.max(width, height) > limits.maxDimension)) {
      return unsupported(`${config.width}x${config.height} exceeds the level in "${config.codec}"; use a higher level`);
    }
  }
  if (!native.hasEncoder(row.encoder)) return unsupported(`this FFmpeg has no ${row.encoder}`);
  return {
    supported: true,
    parsed,
    native: {
      codec: config.codec,
      kind: parsed.kind,
      encoder: row.encoder,
      pixelFormat: config.alpha === 'keep' ? 'I420A' : sampling.pixelFormat,
      width: config.width,
      height: config.height,
      displayWidth: config.displayWidth,
      displayHeight: config.displayHeight,
      bitrate: config.bitrate,
      framerate: config.framerate,
      bitrateMode: config.bitrateMode,
      latencyMode: config.latencyMode,
      temporalLayers,
      contentHint: config.contentHint,
      format: parsed.kind === 'avc' ? (config.avc?.format ?? 'avc') : undefined,
      ...row.native(parsed, config),
    },
  };
}

// Decoders in order of preference; the first one this FFmpeg has is used.
const DECODERS: Readonly<Record<Kind, string[]>> = {
  avc: ['h264'],
  hevc: ['hevc'],
  vp8: ['vp8', 'libvpx'],
  vp9: ['vp9', 'libvpx-vp9'],
  av1: ['libdav1d', 'libaom-av1'],
};

/** Reads a NAL-array record's arrays; false if any length runs past the end. */
function nalArraysFit(d: Uint8Array, start: number, arrays: number, hasTypeByte: boolean, countBytes: 1 | 2): boolean {
  let i = start;
  for (let a = 0; a < arrays; a++) {
    if (hasTypeByte) i += 1;
    if (i + countBytes > d.length) return false;
    const count = countBytes === 2 ? (d[i]! << 8) | d[i + 1]! : d[i]! & 0x1f;
    i += countBytes;
    for (let n = 0; n < count; n++) {
      if (i + 2 > d.length) return false;
      i += 2 + ((d[i]! << 8) | d[i + 1]!);
      if (i > d.length) return false;
    }
  }
  return true;
}

/** Why `d` is not an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1), or null. */
export function invalidAvcC(d: Uint8Array): string | null {
  if (d.byteLength < 7 || d[0] !== 1) return 'description is not an avcC record (AVCDecoderConfigurationRecord, version 1)';
  if ((d[4]! & 3) === 2) return 'avcC lengthSizeMinusOne must be 0, 1 or 3';
  const sps = d[5]! & 0x1f;
  if (sps === 0) return 'avcC has no sequence parameter set';
  // SPS array, then the PPS array whose count byte follows it.
  let i = 6;
  for (let n = 0; n < sps; n++) {
    if (i + 2 > d.length) return 'avcC is truncated';
    i += 2 + ((d[i]! << 8) | d[i + 1]!);
  }
  if (i >= d.length || !nalArraysFit(d, i, 1, false, 1)) return 'avcC is truncated';
  return null;
}

/** Why `d` is not an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1), or null. */
export function invalidHvcC(d: Uint8Array): string | null {
  if (d.byteLength < 23 || d[0] !== 1) return 'description is not an hvcC record (HEVCDecoderConfigurationRecord, version 1)';
  if ((d[21]! & 3) === 2) return 'hvcC lengthSizeMinusOne must be 0, 1 or 3';
  if (!nalArraysFit(d, 23, d[22]!, true, 2)) return 'hvcC is truncated';
  return null;
}

/** Why `d` is not an AV1CodecConfigurationRecord (AV1-ISOBMFF 2.3.3), or null. */
function invalidAv1C(d: Uint8Array): string | null {
  if (d.byteLength < 4 || d[0] !== 0x81) return 'description is not an av1C record (marker 1, version 1)';
  return null;
}

export function planVideoDecoder(config: VideoDecoderConfig & { description?: Uint8Array }): Plan {
  const parsed = parseVideoCodecString(config.codec);
  if (parsed === null) return unsupported(`"${config.codec}" is not a valid codec string (e.g. "avc1.42001f" for H.264)`);
  if (config.hardwareAcceleration === 'prefer-hardware') {
    return unsupported('hardware decoders are not available; use hardwareAcceleration "no-preference" or "prefer-software"');
  }
  const decoder = DECODERS[parsed.kind].find((name) => native.hasDecoder(name));
  if (decoder === undefined) return unsupported(`this FFmpeg has no ${parsed.kind} decoder`);
  let description = config.description;
  if (description !== undefined) {
    const reason =
      parsed.kind === 'avc' ? invalidAvcC(description) : parsed.kind === 'hevc' ? invalidHvcC(description) : parsed.kind === 'av1' ? invalidAv1C(description) : null;
    if (reason !== null) return unsupported(reason);
    // The VP8 and VP9 registrations say the description is not used.
    if (parsed.kind === 'vp8' || parsed.kind === 'vp9') description = undefined;
  }
  const color = config.colorSpace !== undefined ? colorSpaceToFFmpeg(config.colorSpace) : {};
  return {
    supported: true,
    parsed,
    native: {
      decoder,
      kind: parsed.kind,
      description,
      codedWidth: config.codedWidth,
      codedHeight: config.codedHeight,
      optimizeForLatency: config.optimizeForLatency,
      ...color,
    },
  };
}
