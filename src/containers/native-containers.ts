// The addon's container classes (native/demuxer.h, native/muxer.h), typed. Kept beside the
// containers rather than in src/native.ts so the codec layer does not see them.
import { native } from '../native.js';

/** A stream as libavformat describes it (native/demuxer.cc DescribeStream); times in microseconds. */
export interface NativeStreamInfo {
  index: number;
  kind: 'video' | 'audio';
  codecName: string;
  codecTag: string;
  extradata?: Uint8Array;
  profile: number;
  level: number;
  timeBaseNum: number;
  timeBaseDen: number;
  duration?: number;
  startTime?: number;
  frames: number;
  // video
  width?: number;
  height?: number;
  pixelFormat?: string;
  bitDepth?: number;
  sarNum?: number;
  sarDen?: number;
  primaries?: number;
  transfer?: number;
  matrix?: number;
  range?: number;
  chromaLocation?: number;
  rotation?: number;
  flip?: boolean;
  frameRateNum?: number;
  frameRateDen?: number;
  // audio
  sampleRate?: number;
  channels?: number;
}

export interface NativeFormatInfo {
  name: string;
  longName: string;
  duration?: number;
  bitRate: number;
}

export interface NativePacket {
  stream: number;
  data: Uint8Array;
  timestamp: number;
  duration?: number;
  key: boolean;
}

/** What went wrong natively, for ContainerError. */
export type NativeErrorCode = 'not-found' | 'cancelled' | 'invalid-data' | 'unsupported' | 'io' | 'invalid-config';

export type NativeDemuxerEvent =
  | { type: 'opened'; format: NativeFormatInfo; streams: NativeStreamInfo[] }
  | { type: 'packets'; packets: NativePacket[]; end: boolean }
  | { type: 'need-data' }
  | { type: 'error'; code: NativeErrorCode; message: string }
  | { type: 'closed' };

export interface NativeDemuxer {
  onevents: ((events: NativeDemuxerEvent[]) => void) | null;
  open(options: { path?: string; format?: string }): void;
  read(maxPackets: number, maxBytes: number): void;
  push(bytes: Uint8Array): void;
  end(): void;
  fail(message: string): void;
  close(): void;
}

/** One output stream for native/muxer.cc (times in the time base given here). */
export interface NativeMuxerTrack {
  codecName: string;
  extradata?: Uint8Array;
  timeBaseNum: number;
  timeBaseDen: number;
  width?: number;
  height?: number;
  /** FFmpeg pixel format name (yuv420p, yuv420p10le, ...). */
  pixelFormat?: string;
  profile?: number;
  level?: number;
  sarNum?: number;
  sarDen?: number;
  frameRateNum?: number;
  frameRateDen?: number;
  rotation?: number;
  flip?: boolean;
  sampleRate?: number;
  channels?: number;
  frameSize?: number;
}

export type NativeMuxerEvent =
  | { type: 'opened' }
  | { type: 'data'; bytes: Uint8Array }
  | { type: 'room' }
  | { type: 'finished' }
  | { type: 'error'; code: NativeErrorCode; message: string }
  | { type: 'closed' };

export interface NativeMuxer {
  onevents: ((events: NativeMuxerEvent[]) => void) | null;
  open(config: { format: string; path?: string; options: Record<string, string>; tracks: NativeMuxerTrack[] }): void;
  write(track: number, data: Uint8Array, pts: number, dts: number, duration: number | undefined, key: boolean): boolean;
  finish(): void;
  ack(bytes: number): void;
  close(): void;
}

interface ContainerAddon {
  Demuxer: new () => NativeDemuxer;
  Muxer: new () => NativeMuxer;
}

export const containerAddon = native as unknown as ContainerAddon;
