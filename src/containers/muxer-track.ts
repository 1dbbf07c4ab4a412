// A Muxer track: what the caller declares (a kind, and a decoder config now or with the first
// chunk's metadata), and how it becomes one of FFmpeg's output streams.
import { parseAudioCodecString, parseVideoCodecString, type ParsedVideoCodec } from '../codecs/config/codec-string/index.js';
import { codecSetup, type CodecSetup, type SetupCodec } from './codec-setup.js';
import { ContainerError } from './container-error.js';
import type { NativeMuxerTrack } from './native-containers.js';

type BufferSource = ArrayBuffer | ArrayBufferView;

/** A VideoDecoderConfig (an encoder's metadata.decoderConfig, or a Demuxer track's config). */
export interface MuxerVideoConfig {
  codec: string;
  codedWidth?: number;
  codedHeight?: number;
  description?: BufferSource;
  displayAspectWidth?: number;
  displayAspectHeight?: number;
  rotation?: number;
  flip?: boolean;
}

/** An AudioDecoderConfig. */
export interface MuxerAudioConfig {
  codec: string;
  sampleRate: number;
  numberOfChannels: number;
  description?: BufferSource;
}

/** A track to write. Without `config`, the first chunk's `metadata.decoderConfig` gives it. A
 * Demuxer's tracks fit as they are (for remuxing). */
export type MuxerTrackInit =
  | { kind: 'video'; config?: MuxerVideoConfig | null; frameRate?: number | null }
  | { kind: 'audio'; config?: MuxerAudioConfig | null };

export interface PreparedTrack {
  native: NativeMuxerTrack;
  setup: CodecSetup;
  /** Packets arrive in decode order but may be reordered for presentation (B-frames). */
  reorders: boolean;
}

// Video: 90 kHz (exact for the common frame rates); audio: one tick per sample. Some formats
// impose their own (Matroska: milliseconds).
const VIDEO_TIME_BASE = 90000;

function bytesOf(source: BufferSource | undefined): Uint8Array | undefined {
  if (source === undefined) return undefined;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}

const VIDEO_CODECS: Readonly<Record<string, SetupCodec>> = { avc: 'h264', hevc: 'hevc', vp8: 'vp8', vp9: 'vp9', av1: 'av1' };
const PCM_CODECS: Readonly<Record<string, string>> = { u8: 'pcm_u8', s16: 'pcm_s16le', s24: 'pcm_s24le', s32: 'pcm_s32le', f32: 'pcm_f32le' };

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

// VP9 subsampling codes (vp09.PP.LL.DD.CC): 0/1 4:2:0, 2 4:2:2, 3 4:4:4.
const VP9_CHROMA = ['420', '420', '422', '444'];

/** The pixel format, profile and level the codec string states (MP4's vpcC is built from them). */
function videoFormat(parsed: ParsedVideoCodec): Pick<NativeMuxerTrack, 'pixelFormat' | 'profile' | 'level'> {
  const depth = parsed.kind === 'vp9' || parsed.kind === 'av1' ? parsed.bitDepth : 8;
  const chroma = parsed.kind === 'vp9' ? VP9_CHROMA[parsed.chromaSubsampling ?? 1] : '420';
  const pixelFormat = `yuv${chroma}p${depth > 8 ? `${depth}le` : ''}`;
  return parsed.kind === 'vp9' || parsed.kind === 'av1' ? { pixelFormat, profile: parsed.profile, level: parsed.level } : { pixelFormat };
}

export function prepareTrack(init: MuxerTrackInit, config: MuxerVideoConfig | MuxerAudioConfig, firstChunk: Uint8Array | undefined, index: number): PreparedTrack {
  if (init.kind === 'video') {
    const video = config as MuxerVideoConfig;
    const parsed = parseVideoCodecString(video.codec);
    if (parsed === null) throw new ContainerError('unsupported', `track ${index}: "${video.codec}" is not a video codec string the muxer knows (avc1, hvc1/hev1, vp8, vp09, av01)`);
    const codec = VIDEO_CODECS[parsed.kind]!;
    const width = video.codedWidth;
    const height = video.codedHeight;
    if (!width || !height) throw new ContainerError('invalid-config', `track ${index}: the video config needs codedWidth and codedHeight`);
    const native: NativeMuxerTrack = { codecName: codec, timeBaseNum: 1, timeBaseDen: VIDEO_TIME_BASE, width, height, ...videoFormat(parsed) };
    if (video.displayAspectWidth && video.displayAspectHeight) {
      // Display aspect -> sample (pixel) aspect ratio.
      const num = video.displayAspectWidth * height;
      const den = video.displayAspectHeight * width;
      const d = gcd(num, den);
      if (num !== den) Object.assign(native, { sarNum: num / d, sarDen: den / d });
    }
    if (init.frameRate) Object.assign(native, { frameRateNum: Math.round(init.frameRate * 1000), frameRateDen: 1000 });
    if (video.rotation) native.rotation = video.rotation;
    if (video.flip) native.flip = true;
    const setup = codecSetup(codec, bytesOf(video.description), firstChunk, null);
    if (setup.extradata !== undefined) native.extradata = setup.extradata;
    return { native, setup, reorders: codec === 'h264' || codec === 'hevc' };
  }
  const audio = config as MuxerAudioConfig;
  const parsed = parseAudioCodecString(audio.codec);
  if (parsed === null) throw new ContainerError('unsupported', `track ${index}: "${audio.codec}" is not an audio codec string the muxer knows (mp4a.40.2, opus, flac, mp3, vorbis, pcm-s16, ...)`);
  if (!(audio.sampleRate > 0) || !(audio.numberOfChannels > 0)) {
    throw new ContainerError('invalid-config', `track ${index}: the audio config needs sampleRate and numberOfChannels`);
  }
  let codecName: string;
  let setupCodec: SetupCodec;
  switch (parsed.kind) {
    case 'pcm':
      codecName = PCM_CODECS[parsed.format]!;
      setupCodec = 'pcm';
      break;
    case 'ulaw':
    case 'alaw':
      codecName = parsed.kind === 'ulaw' ? 'pcm_mulaw' : 'pcm_alaw';
      setupCodec = 'pcm';
      break;
    default:
      codecName = parsed.kind;
      setupCodec = parsed.kind;
  }
  const native: NativeMuxerTrack = {
    codecName,
    timeBaseNum: 1,
    timeBaseDen: audio.sampleRate,
    sampleRate: audio.sampleRate,
    channels: audio.numberOfChannels,
  };
  const setup = codecSetup(setupCodec, bytesOf(audio.description), firstChunk, { channels: audio.numberOfChannels, sampleRate: audio.sampleRate });
  if (setup.extradata !== undefined) native.extradata = setup.extradata;
  return { native, setup, reorders: false };
}
