// What a Demuxer says about each audio or video stream: the WebCodecs codec string and the
// decoder configuration (VideoDecoderConfig / AudioDecoderConfig) to configure a decoder with.
import { colorSpaceFromFFmpeg, type VideoColorSpaceInit } from '../codecs/video-color-space.js';
import type { NativeStreamInfo } from './native-containers.js';
import { streamCodec } from './stream-codec.js';

export interface VideoTrackConfig {
  codec: string;
  description?: ArrayBuffer;
  codedWidth: number;
  codedHeight: number;
  displayAspectWidth?: number;
  displayAspectHeight?: number;
  colorSpace?: VideoColorSpaceInit;
  rotation?: number;
  flip?: boolean;
}

/** Shaped like WebCodecs' AudioDecoderConfig. */
export interface AudioTrackConfig {
  codec: string;
  sampleRate: number;
  numberOfChannels: number;
  description?: ArrayBuffer;
}

interface TrackBase {
  /** Position in `demuxer.tracks`; chunks name their track by it. */
  index: number;
  /** The container's stream index (what ffprobe calls the stream's index). */
  streamIndex: number;
  /** The WebCodecs codec string, or null when WebCodecs has no registration for this codec. */
  codec: string | null;
  /** FFmpeg's name for the codec (h264, aac, ac3, ...). */
  codecName: string;
  /** Ticks per second of the container's time base for this track (the MP4 timescale). */
  timescale: number;
  timeBase: { numerator: number; denominator: number };
  /** Microseconds, or null when the container does not say. */
  duration: number | null;
  /** The first timestamp in microseconds (MPEG-TS rarely starts at 0), or null when unknown. */
  startTime: number | null;
  /** Frames (video) or packets (audio) the container announces, or null when it does not say. */
  frameCount: number | null;
}

export interface VideoTrack extends TrackBase {
  kind: 'video';
  /** Null when `codec` is null (not decodable with WebCodecs). */
  config: VideoTrackConfig | null;
  width: number;
  height: number;
  /** Frames per second as the container declares or FFmpeg estimates it, or null. */
  frameRate: number | null;
}

export interface AudioTrack extends TrackBase {
  kind: 'audio';
  config: AudioTrackConfig | null;
  sampleRate: number;
  numberOfChannels: number;
}

export type DemuxerTrack = VideoTrack | AudioTrack;

function copyOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function colorSpaceOf(s: NativeStreamInfo): VideoColorSpaceInit | undefined {
  const cs = colorSpaceFromFFmpeg({ primaries: s.primaries ?? 2, transfer: s.transfer ?? 2, matrix: s.matrix ?? 2, range: s.range ?? 0 }).toJSON();
  const set = Object.entries(cs).filter(([, v]) => v !== null);
  return set.length > 0 ? (Object.fromEntries(set) as VideoColorSpaceInit) : undefined;
}

export function describeTrack(s: NativeStreamInfo, index: number, formatDuration: number | undefined): DemuxerTrack {
  const named = streamCodec(s);
  const base: TrackBase = {
    index,
    streamIndex: s.index,
    codec: named?.codec ?? null,
    codecName: s.codecName,
    timescale: s.timeBaseDen / s.timeBaseNum,
    timeBase: { numerator: s.timeBaseNum, denominator: s.timeBaseDen },
    duration: s.duration ?? formatDuration ?? null,
    startTime: s.startTime ?? null,
    frameCount: s.frames > 0 ? s.frames : null,
  };
  if (s.kind === 'video') {
    const width = s.width ?? 0;
    const height = s.height ?? 0;
    let config: VideoTrackConfig | null = null;
    if (named !== null) {
      config = { codec: named.codec, codedWidth: width, codedHeight: height };
      if (named.description !== undefined) config.description = copyOf(named.description);
      const sarNum = s.sarNum ?? 0;
      const sarDen = s.sarDen ?? 0;
      if (sarNum > 0 && sarDen > 0 && sarNum !== sarDen) {
        const w = width * sarNum;
        const h = height * sarDen;
        const d = gcd(w, h);
        config.displayAspectWidth = w / d;
        config.displayAspectHeight = h / d;
      }
      const colorSpace = colorSpaceOf(s);
      if (colorSpace !== undefined) config.colorSpace = colorSpace;
      if (s.rotation) config.rotation = s.rotation;
      if (s.flip) config.flip = true;
    }
    const frameRate = s.frameRateNum && s.frameRateDen ? s.frameRateNum / s.frameRateDen : null;
    return { ...base, kind: 'video', config, width, height, frameRate };
  }
  const sampleRate = s.sampleRate ?? 0;
  const numberOfChannels = s.channels ?? 0;
  let config: AudioTrackConfig | null = null;
  if (named !== null) {
    config = { codec: named.codec, sampleRate, numberOfChannels };
    if (named.description !== undefined) config.description = copyOf(named.description);
  }
  return { ...base, kind: 'audio', config, sampleRate, numberOfChannels };
}
