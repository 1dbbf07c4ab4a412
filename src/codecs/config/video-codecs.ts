// Check Configuration Support for video, in JavaScript: which FFmpeg encoder or decoder serves a
// codec string, and whether the configuration is within what it can do. What passes here is
// confirmed by opening the codec (native probeConfig / configure), so isConfigSupported never
// answers true for a configuration that then fails.
import type { NativeConfig } from '../../native.js';
import { native } from '../../native.js';
import { colorSpaceToFFmpeg } from '../video-color-space.js';
import { parseVideoCodecString, videoLevelLimits, type ParsedVideoCodec } from './codec-string/index.js';
import type { VideoDecoderConfig } from './video-decoder-config.js';
import type { VideoEncoderConfig } from './video-encoder-config.js';

export type Plan = { supported: true; native: NativeConfig; parsed: ParsedVideoCodec } | { supported: false; reason: string };

const unsupported = (reason: string): Plan => ({ supported: false, reason });

/** Profiles libx264 (8-bit 4:2:0 input) can produce: constrained baseline, main, high. */
const X264_PROFILES = new Set([66, 77, 100]);

function firstAvailable(names: string[], has: (name: string) => boolean): string | undefined {
  return names.find((name) => has(name));
}

const DECODERS: Record<ParsedVideoCodec['kind'], string[]> = {
  avc: ['h264'],
  hevc: ['hevc'],
  vp8: ['vp8', 'libvpx'],
  vp9: ['vp9', 'libvpx-vp9'],
  av1: ['libdav1d', 'libaom-av1'],
};

export function planVideoEncoder(config: VideoEncoderConfig): Plan {
  const parsed = parseVideoCodecString(config.codec);
  if (parsed === null) return unsupported(`"${config.codec}" is not a valid codec string (e.g. "avc1.42001f" for H.264)`);
  if (config.hardwareAcceleration === 'prefer-hardware') {
    return unsupported('hardware encoders are not available; use hardwareAcceleration "no-preference" or "prefer-software"');
  }
  if (config.scalabilityMode !== undefined && config.scalabilityMode !== 'L1T1') {
    return unsupported(`scalabilityMode "${config.scalabilityMode}" is not supported for ${parsed.kind}`);
  }
  if (config.alpha === 'keep') return unsupported(`alpha "keep" is not supported for ${parsed.kind}; use alpha "discard"`);
  const limits = videoLevelLimits(parsed);
  if (limits !== null) {
    const area = config.width * config.height;
    if (area > limits.maxPictureSize || (limits.maxDimension !== undefined && Math.max(config.width, config.height) > limits.maxDimension)) {
      return unsupported(`${config.width}x${config.height} exceeds the level in "${config.codec}"; use a higher level`);
    }
    if (config.framerate !== undefined && area * config.framerate > limits.maxSampleRate) {
      return unsupported(`${config.width}x${config.height} at ${config.framerate} fps exceeds the level in "${config.codec}"`);
    }
  }
  const common: NativeConfig = {
    codec: config.codec,
    width: config.width,
    height: config.height,
    displayWidth: config.displayWidth,
    displayHeight: config.displayHeight,
    bitrate: config.bitrate,
    framerate: config.framerate,
    bitrateMode: config.bitrateMode,
    latencyMode: config.latencyMode,
  };
  switch (parsed.kind) {
    case 'avc': {
      if (!X264_PROFILES.has(parsed.profile)) {
        return unsupported(`H.264 profile ${parsed.profile} cannot be encoded here; use baseline (42), main (4D) or high (64)`);
      }
      if (config.width % 2 !== 0 || config.height % 2 !== 0) return unsupported('H.264 4:2:0 needs an even width and height');
      if (!native.hasEncoder('libx264')) return unsupported('this FFmpeg has no libx264');
      return {
        supported: true,
        parsed,
        native: { ...common, encoder: 'libx264', profile: parsed.profile, level: parsed.level, format: config.avc?.format ?? 'avc' },
      };
    }
    default:
      return unsupported(`encoding ${parsed.kind} is not supported yet`);
  }
}

export function planVideoDecoder(config: VideoDecoderConfig & { description?: Uint8Array }): Plan {
  const parsed = parseVideoCodecString(config.codec);
  if (parsed === null) return unsupported(`"${config.codec}" is not a valid codec string (e.g. "avc1.42001f" for H.264)`);
  if (config.hardwareAcceleration === 'prefer-hardware') {
    return unsupported('hardware decoders are not available; use hardwareAcceleration "no-preference" or "prefer-software"');
  }
  const decoder = firstAvailable(DECODERS[parsed.kind], native.hasDecoder);
  if (decoder === undefined) return unsupported(`this FFmpeg has no ${parsed.kind} decoder`);
  if (parsed.kind === 'avc' && config.description !== undefined) {
    const d = config.description;
    if (d.byteLength < 7 || d[0] !== 1) return unsupported('description is not an avcC record (AVCDecoderConfigurationRecord)');
  }
  const color = config.colorSpace !== undefined ? colorSpaceToFFmpeg(config.colorSpace) : {};
  return {
    supported: true,
    parsed,
    native: {
      decoder,
      description: config.description,
      codedWidth: config.codedWidth,
      codedHeight: config.codedHeight,
      optimizeForLatency: config.optimizeForLatency,
      ...color,
    },
  };
}
