// Audio: every audio registration lists its codec strings outright, so parsing is a lookup.
import type { ParsedAudioCodec } from './index.js';

// Each variant without its codec string (a plain Omit would merge the variants into one).
type AudioCodecFields<T = ParsedAudioCodec> = T extends unknown ? Omit<T, 'codec'> : never;

// MPEG-4 audio object types (ISO/IEC 14496-3 Table 1.1) named by the AAC registration.
const AAC_LC = 2;
const HE_AAC = 5; // AAC LC + SBR
const HE_AAC_V2 = 29; // AAC LC + SBR + PS
const XHE_AAC = 42; // USAC

const AUDIO_CODECS: ReadonlyMap<string, AudioCodecFields> = new Map<string, AudioCodecFields>([
  // AAC registration. The zero-padded forms are listed for Aud-OTI compatibility.
  ['mp4a.40.2', { kind: 'aac', objectType: AAC_LC }],
  ['mp4a.40.02', { kind: 'aac', objectType: AAC_LC }],
  ['mp4a.40.5', { kind: 'aac', objectType: HE_AAC }],
  ['mp4a.40.05', { kind: 'aac', objectType: HE_AAC }],
  ['mp4a.40.29', { kind: 'aac', objectType: HE_AAC_V2 }],
  ['mp4a.40.42', { kind: 'aac', objectType: XHE_AAC }],
  // MPEG-2 AAC LC has its own OTI (0x67) rather than an MPEG-4 object type; its
  // bitstream is the AAC LC one, so it reports that object type.
  ['mp4a.67', { kind: 'aac', objectType: AAC_LC }],
  // MP3 registration: OTI 0x69 (MPEG-2 audio) and 0x6B (MPEG-1 audio). The OTI is
  // hexadecimal, so its letter digit is accepted in either case, as for avc1.
  ['mp3', { kind: 'mp3' }],
  ['mp4a.69', { kind: 'mp3' }],
  ['mp4a.6B', { kind: 'mp3' }],
  ['mp4a.6b', { kind: 'mp3' }],
  ['opus', { kind: 'opus' }],
  ['flac', { kind: 'flac' }],
  ['vorbis', { kind: 'vorbis' }],
  ['ulaw', { kind: 'ulaw' }],
  ['alaw', { kind: 'alaw' }],
  // PCM registration. pcm-s24 is packed 3-byte samples, which no AudioSampleFormat names.
  ['pcm-u8', { kind: 'pcm', format: 'u8' }],
  ['pcm-s16', { kind: 'pcm', format: 's16' }],
  ['pcm-s24', { kind: 'pcm', format: 's24' }],
  ['pcm-s32', { kind: 'pcm', format: 's32' }],
  ['pcm-f32', { kind: 'pcm', format: 'f32' }],
]);

export function parseAudio(codec: string): ParsedAudioCodec | null {
  const fields = AUDIO_CODECS.get(codec);
  return fields === undefined ? null : { ...fields, codec };
}
