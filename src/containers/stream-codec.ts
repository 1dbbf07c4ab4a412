// The WebCodecs name of a libavformat stream: its codec string (Codec Registry) and the
// `description` its registration asks for, built from the container's codec setup (extradata):
//   H.264 avcC, HEVC hvcC (else Annex B: no description), AAC AudioSpecificConfig (else ADTS),
//   Opus OpusHead, FLAC "fLaC" + STREAMINFO, Vorbis Xiph-laced headers; none for VP8/VP9/AV1/MP3/PCM.
// Null when WebCodecs has no registration for the codec (e.g. MPEG-2 video, AC-3).
import { smallestFittingLevel } from '../codecs/config/codec-string/index.js';
import { annexBNalUnits, nalUnitType, SPS_TYPE, unescapeRbsp } from './annexb.js';
import type { NativeStreamInfo } from './native-containers.js';

export interface StreamCodec {
  codec: string;
  description?: Uint8Array;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const dec2 = (n: number): string => String(n).padStart(2, '0');

function firstSps(codec: 'h264' | 'hevc', extradata: Uint8Array | undefined): Uint8Array | undefined {
  if (extradata === undefined) return undefined;
  return annexBNalUnits(extradata).find((unit) => nalUnitType(codec, unit) === SPS_TYPE[codec]);
}

// FFmpeg's H.264 profile flags (FF_PROFILE_H264_CONSTRAINED / _INTRA) for streams with no SPS at hand.
const FF_PROFILE_H264_CONSTRAINED = 1 << 9;
const FF_PROFILE_H264_INTRA = 1 << 11;

function avc(s: NativeStreamInfo): StreamCodec | null {
  const ed = s.extradata;
  const prefix = s.codecTag === 'avc3' ? 'avc3' : 'avc1';
  // avcC: configurationVersion 1, then the SPS's profile_idc, constraint flags, level_idc.
  if (ed !== undefined && ed.length >= 7 && ed[0] === 1) {
    return { codec: `${prefix}.${hex2(ed[1]!)}${hex2(ed[2]!)}${hex2(ed[3]!)}`, description: ed };
  }
  const sps = firstSps('h264', ed);
  if (sps !== undefined && sps.length >= 4) return { codec: `${prefix}.${hex2(sps[1]!)}${hex2(sps[2]!)}${hex2(sps[3]!)}` };
  if (s.profile <= 0 || s.level <= 0) return null;
  const constraints = (s.profile & FF_PROFILE_H264_CONSTRAINED ? 0x40 : 0) | (s.profile & FF_PROFILE_H264_INTRA ? 0x10 : 0);
  return { codec: `${prefix}.${hex2(s.profile & 0xff)}${hex2(constraints)}${hex2(s.level)}` };
}

/** general_profile_space..general_level_idc: 12 bytes, laid out alike in hvcC and in an SPS. */
function hevcCodecString(prefix: string, ptl: Uint8Array): string {
  const space = ptl[0]! >> 6;
  const tier = (ptl[0]! >> 5) & 1;
  const profile = ptl[0]! & 0x1f;
  const flags = ((ptl[1]! << 24) | (ptl[2]! << 16) | (ptl[3]! << 8) | ptl[4]!) >>> 0;
  // ISO/IEC 14496-15 E.3: the 32 compatibility flags in reverse bit order, in hexadecimal.
  let reversed = 0;
  for (let bit = 0; bit < 32; bit++) if (flags & (1 << bit)) reversed |= 1 << (31 - bit);
  const constraints = [...ptl.subarray(5, 11)];
  while (constraints.length > 1 && constraints[constraints.length - 1] === 0) constraints.pop();
  return (
    `${prefix}.${['', 'A', 'B', 'C'][space]}${profile}.${(reversed >>> 0).toString(16).toUpperCase()}` +
    `.${tier ? 'H' : 'L'}${ptl[11]}.${constraints.map((b) => hex2(b).toUpperCase()).join('.')}`
  );
}

function hevc(s: NativeStreamInfo): StreamCodec | null {
  const ed = s.extradata;
  const prefix = s.codecTag === 'hev1' ? 'hev1' : 'hvc1';
  if (ed !== undefined && ed.length >= 23 && ed[0] === 1) return { codec: hevcCodecString(prefix, ed.subarray(1, 13)), description: ed };
  const sps = firstSps('hevc', ed);
  if (sps === undefined) return null;
  // After the 2-byte NAL header: sps_video_parameter_set_id, max_sub_layers, nesting (1 byte).
  const rbsp = unescapeRbsp(sps);
  return rbsp.length >= 15 ? { codec: hevcCodecString(prefix, rbsp.subarray(3, 15)) } : null;
}

function chromaOf(pixelFormat: string | undefined): 420 | 422 | 444 {
  if (pixelFormat?.includes('444') || pixelFormat?.startsWith('gbr')) return 444;
  if (pixelFormat?.includes('422')) return 422;
  return 420;
}

function frameRateOf(s: NativeStreamInfo): number {
  return s.frameRateNum && s.frameRateDen ? s.frameRateNum / s.frameRateDen : 30;
}

function vp9(s: NativeStreamInfo): StreamCodec {
  const bitDepth = s.bitDepth || 8;
  const chroma = chromaOf(s.pixelFormat);
  // VP9 profiles: 0 = 8-bit 4:2:0, 1 = 8-bit 4:2:2/4:4:4, 2 = 10/12-bit 4:2:0, 3 = 10/12-bit other.
  const profile = s.profile >= 0 && s.profile <= 3 ? s.profile : (bitDepth > 8 ? 2 : 0) + (chroma === 420 ? 0 : 1);
  // Containers rarely carry the level (MP4's vpcC does): the smallest that fits the stream.
  const level = s.level > 0 ? s.level : (smallestFittingLevel('vp9', s.width ?? 0, s.height ?? 0, frameRateOf(s)) ?? 10);
  return { codec: `vp09.${dec2(profile)}.${dec2(level)}.${dec2(bitDepth)}` };
}

function av1(s: NativeStreamInfo): StreamCodec {
  const ed = s.extradata;
  // av1C (marker + version 1): seq_profile, seq_level_idx_0, seq_tier_0, high_bitdepth, twelve_bit.
  if (ed !== undefined && ed.length >= 4 && ed[0] === 0x81) {
    const profile = ed[1]! >> 5;
    const level = ed[1]! & 0x1f;
    const tier = ed[2]! >> 7 ? 'H' : 'M';
    const bitDepth = (ed[2]! >> 6) & 1 ? ((ed[2]! >> 5) & 1 ? 12 : 10) : 8;
    return { codec: `av01.${profile}.${dec2(level)}${tier}.${dec2(bitDepth)}` };
  }
  // Elementary streams (IVF, OBU): FFmpeg's AV1 parser reads the sequence header's profile and level.
  const profile = s.profile >= 0 ? s.profile : 0;
  const level = s.level >= 0 ? s.level : (smallestFittingLevel('av1', s.width ?? 0, s.height ?? 0, frameRateOf(s)) ?? 8);
  return { codec: `av01.${profile}.${dec2(level)}M.${dec2(s.bitDepth || 8)}` };
}

function aac(s: NativeStreamInfo): StreamCodec {
  const ed = s.extradata;
  if (ed !== undefined && ed.length >= 2) {
    // AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): audioObjectType, 5 bits, 31 escapes to 32 + 6 bits.
    let objectType = ed[0]! >> 3;
    if (objectType === 31) objectType = 32 + (((ed[0]! & 7) << 3) | (ed[1]! >> 5));
    return { codec: `mp4a.40.${objectType}`, description: ed };
  }
  // ADTS: the profile field is the object type minus one (FFmpeg's FF_PROFILE_AAC_* likewise).
  return { codec: `mp4a.40.${s.profile >= 0 ? s.profile + 1 : 2}` };
}

const FLAC_MAGIC = [0x66, 0x4c, 0x61, 0x43]; // "fLaC"
const STREAMINFO_SIZE = 34;

function startsWith(data: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => data[i] === byte);
}

function flac(s: NativeStreamInfo): StreamCodec | null {
  const ed = s.extradata;
  if (ed === undefined) return null;
  if (startsWith(ed, FLAC_MAGIC)) return { codec: 'flac', description: ed };
  if (ed.length < STREAMINFO_SIZE) return null;
  // FFmpeg keeps the bare STREAMINFO: add the magic and a metadata block header (last block,
  // type 0 = STREAMINFO, 24-bit length).
  const description = new Uint8Array(8 + STREAMINFO_SIZE);
  description.set(FLAC_MAGIC, 0);
  description.set([0x80, 0, 0, STREAMINFO_SIZE], 4);
  description.set(ed.subarray(0, STREAMINFO_SIZE), 8);
  return { codec: 'flac', description };
}

const OPUS_HEAD = [...'OpusHead'].map((c) => c.charCodeAt(0));

const PCM: Readonly<Record<string, string>> = {
  pcm_u8: 'pcm-u8',
  pcm_s16le: 'pcm-s16',
  pcm_s24le: 'pcm-s24',
  pcm_s32le: 'pcm-s32',
  pcm_f32le: 'pcm-f32',
  pcm_mulaw: 'ulaw',
  pcm_alaw: 'alaw',
};

export function streamCodec(s: NativeStreamInfo): StreamCodec | null {
  switch (s.codecName) {
    case 'h264':
      return avc(s);
    case 'hevc':
      return hevc(s);
    case 'vp8':
      return { codec: 'vp8' };
    case 'vp9':
      return vp9(s);
    case 'av1':
      return av1(s);
    case 'aac':
      return aac(s);
    case 'mp3':
      return { codec: 'mp3' };
    case 'opus':
      return s.extradata !== undefined && startsWith(s.extradata, OPUS_HEAD) ? { codec: 'opus', description: s.extradata } : { codec: 'opus' };
    case 'flac':
      return flac(s);
    case 'vorbis':
      // Xiph lacing: 2 (three packets follow), then the laced sizes and the three headers.
      return s.extradata !== undefined && s.extradata[0] === 2 ? { codec: 'vorbis', description: s.extradata } : null;
    default: {
      const pcm = PCM[s.codecName];
      return pcm === undefined ? null : { codec: pcm };
    }
  }
}
