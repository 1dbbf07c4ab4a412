// The container formats the Muxer writes: FFmpeg's muxer for each, its options, and whether it
// can stream out (append-only) or needs a seekable file (MP4/MOV with the index at the front).
import { extname } from 'node:path';

export type MuxerFormat = 'mp4' | 'fmp4' | 'mov' | 'webm' | 'mkv' | 'mpegts' | 'ogg' | 'ivf' | 'adts' | 'flac' | 'mp3';

export interface MuxerFormatSpec {
  /** FFmpeg's muxer name. */
  ffmpeg: string;
  /** False: the muxer seeks back (to put the index first), so it writes to a file path only. */
  streamable: boolean;
  /** FFmpeg muxer options. */
  options: Readonly<Record<string, string>>;
  extensions: readonly string[];
}

// Fragmented MP4: an empty moov first, then one moof+mdat per key frame; nothing is rewritten.
const FRAGMENTED = { movflags: 'frag_keyframe+empty_moov+default_base_moof' };
// Regular MP4: the moov is written last, then moved to the front so players start at once.
const FASTSTART = { movflags: '+faststart' };

export const MUXER_FORMATS: Readonly<Record<MuxerFormat, MuxerFormatSpec>> = {
  mp4: { ffmpeg: 'mp4', streamable: false, options: FASTSTART, extensions: ['.mp4', '.m4v', '.m4a'] },
  fmp4: { ffmpeg: 'mp4', streamable: true, options: FRAGMENTED, extensions: [] },
  mov: { ffmpeg: 'mov', streamable: false, options: FASTSTART, extensions: ['.mov'] },
  webm: { ffmpeg: 'webm', streamable: true, options: {}, extensions: ['.webm'] },
  mkv: { ffmpeg: 'matroska', streamable: true, options: {}, extensions: ['.mkv', '.mka'] },
  mpegts: { ffmpeg: 'mpegts', streamable: true, options: {}, extensions: ['.ts', '.m2ts', '.mts'] },
  ogg: { ffmpeg: 'ogg', streamable: true, options: {}, extensions: ['.ogg', '.oga', '.opus'] },
  ivf: { ffmpeg: 'ivf', streamable: true, options: {}, extensions: ['.ivf'] },
  adts: { ffmpeg: 'adts', streamable: true, options: {}, extensions: ['.aac'] },
  flac: { ffmpeg: 'flac', streamable: true, options: {}, extensions: ['.flac'] },
  mp3: { ffmpeg: 'mp3', streamable: true, options: {}, extensions: ['.mp3'] },
};

export function isMuxerFormat(name: string): name is MuxerFormat {
  return Object.hasOwn(MUXER_FORMATS, name);
}

/** The format a file name's extension implies, or null. */
export function muxerFormatForPath(path: string): MuxerFormat | null {
  const ext = extname(path).toLowerCase();
  const found = (Object.keys(MUXER_FORMATS) as MuxerFormat[]).find((f) => MUXER_FORMATS[f].extensions.includes(ext));
  return found ?? null;
}
