// The codec names the command line takes (h264, opus, ...) and the WebCodecs configurations they
// stand for; which ones a container takes by default.
import { smallestFittingLevel } from '../codecs/config/codec-string/index.js';
import type { MuxerFormat } from '../containers/muxer-formats.js';

export const VIDEO_CODEC_NAMES = ['h264', 'hevc', 'vp8', 'vp9', 'av1'] as const;
export const AUDIO_CODEC_NAMES = ['aac', 'opus', 'flac', 'mp3', 'vorbis'] as const;
export type VideoCodecName = (typeof VIDEO_CODEC_NAMES)[number];
export type AudioCodecName = (typeof AUDIO_CODEC_NAMES)[number];

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const dec2 = (n: number): string => String(n).padStart(2, '0');

/** The codec string for a new encode at this size and rate (the smallest level that fits). */
export function videoCodecString(name: VideoCodecName, width: number, height: number, framerate: number): string {
  switch (name) {
    case 'h264':
      return `avc1.6400${hex2(smallestFittingLevel('avc', width, height, framerate) ?? 0x33)}`; // High profile
    case 'hevc':
      return `hvc1.1.6.L${smallestFittingLevel('hevc', width, height, framerate) ?? 153}.B0`; // Main profile
    case 'vp8':
      return 'vp8';
    case 'vp9':
      return `vp09.00.${dec2(smallestFittingLevel('vp9', width, height, framerate) ?? 62)}.08`; // profile 0, 8-bit
    case 'av1':
      return `av01.0.${dec2(smallestFittingLevel('av1', width, height, framerate) ?? 23)}M.08`; // Main, 8-bit
  }
}

/** Codec-specific VideoEncoderConfig members: containers want length-prefixed H.264/HEVC with a description. */
export function videoEncoderExtras(name: VideoCodecName): Record<string, unknown> {
  if (name === 'h264') return { avc: { format: 'avc' } };
  if (name === 'hevc') return { hevc: { format: 'hevc' } };
  return {};
}

export function audioCodecString(name: AudioCodecName): string {
  return name === 'aac' ? 'mp4a.40.2' : name;
}

/** What each output format gets when --video-codec / --audio-codec are not given (null: none). */
export const DEFAULT_CODECS: Readonly<Record<MuxerFormat, { video: VideoCodecName | null; audio: AudioCodecName | null }>> = {
  mp4: { video: 'h264', audio: 'aac' },
  fmp4: { video: 'h264', audio: 'aac' },
  mov: { video: 'h264', audio: 'aac' },
  mkv: { video: 'h264', audio: 'aac' },
  mpegts: { video: 'h264', audio: 'aac' },
  webm: { video: 'vp9', audio: 'opus' },
  ogg: { video: null, audio: 'opus' },
  ivf: { video: 'vp9', audio: null },
  adts: { video: null, audio: 'aac' },
  flac: { video: null, audio: 'flac' },
  mp3: { video: null, audio: 'mp3' },
};
