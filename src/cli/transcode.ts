// The transcode pipeline, from the library's own pieces only:
//   Demuxer -> per track: decoder stream -> (frame rate) -> encoder stream -> Muxer
// Every stage is a stream with backpressure, so memory stays bounded whatever the input's length.
import { Writable } from 'node:stream';
import {
  AudioDecoder,
  AudioDecoderStream,
  AudioEncoder,
  AudioEncoderStream,
  EncodedAudioChunk,
  EncodedVideoChunk,
  VideoDecoder,
  VideoDecoderStream,
  VideoEncoder,
  VideoEncoderStream,
  type AudioEncoderConfig,
  type VideoFrame,
} from '../index.js';
import { Demuxer } from '../containers/demuxer.js';
import type { AudioTrack, VideoTrack } from '../containers/demuxer-track.js';
import { Muxer, type MuxerInput } from '../containers/muxer.js';
import { MUXER_FORMATS, muxerFormatForPath, type MuxerFormat } from '../containers/muxer-formats.js';
import type { MuxerTrackInit } from '../containers/muxer-track.js';
import { audioCodecString, DEFAULT_CODECS, type AudioCodecName, type VideoCodecName } from './codec-choices.js';
import { codecSupport, videoEncoderConfig } from './codec-support.js';
import { CliError, EXIT } from './exit-codes.js';
import { frameRateConverter } from './frame-rate.js';
import type { ProgressSnapshot } from './progress.js';

export interface TranscodeOptions {
  /** A file path, or "-" for standard input (streamable formats: MPEG-TS, WebM, fragmented MP4...). */
  input: string;
  output: string;
  format?: MuxerFormat;
  videoCodec?: VideoCodecName;
  audioCodec?: AudioCodecName;
  /** Bits per second. */
  bitrate?: number;
  audioBitrate?: number;
  size?: { width: number; height: number };
  fps?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ProgressSnapshot) => void;
}

export interface TranscodeResult {
  format: MuxerFormat;
  video: { codec: string; frames: number } | null;
  audio: { codec: string; chunks: number } | null;
  /** Microseconds of media written. */
  duration: number;
}

type Chunk = EncodedVideoChunk | EncodedAudioChunk;
type EncodedOutput = { chunk: Chunk; metadata?: MuxerInput['metadata'] };

// Formats that hold no video (or no audio) at all.
const AUDIO_ONLY: ReadonlySet<MuxerFormat> = new Set(['ogg', 'adts', 'flac', 'mp3']);
const VIDEO_ONLY: ReadonlySet<MuxerFormat> = new Set(['ivf']);

async function supportedEncoders(kind: 'video' | 'audio'): Promise<string> {
  const names = (await codecSupport()).filter((row) => row.kind === kind && row.encode).map((row) => row.name);
  return names.length > 0 ? names.join(', ') : 'none';
}

/** A chunk moved by `offset` microseconds (the pipeline starts the output at 0). */
function shifted(chunk: Chunk, offset: number): Chunk {
  if (offset === 0) return chunk;
  const data = new Uint8Array(chunk.byteLength);
  chunk.copyTo(data);
  const init = {
    type: chunk.type,
    timestamp: chunk.timestamp - offset,
    ...(chunk.duration !== null ? { duration: chunk.duration } : {}),
    data,
    transfer: [data.buffer],
  };
  return chunk instanceof EncodedVideoChunk ? new EncodedVideoChunk(init) : new EncodedAudioChunk(init);
}

async function videoStage(track: VideoTrack, name: VideoCodecName, options: TranscodeOptions) {
  const config = track.config!;
  if (!(await VideoDecoder.isConfigSupported(config)).supported) {
    throw new CliError(EXIT.unsupported, `cannot decode the input's video (${config.codec}) on this machine`);
  }
  const width = options.size?.width ?? track.width;
  const height = options.size?.height ?? track.height;
  const framerate = options.fps ?? track.frameRate ?? 30;
  const encoderConfig = videoEncoderConfig(name, width, height, framerate, options.bitrate);
  if (!(await VideoEncoder.isConfigSupported(encoderConfig)).supported) {
    throw new CliError(
      EXIT.unsupported,
      `cannot encode ${name} (${encoderConfig.codec}, ${width}x${height}) on this machine; video codecs it can encode: ${await supportedEncoders('video')}`,
    );
  }
  return { encoderConfig, framerate };
}

async function audioStage(track: AudioTrack, name: AudioCodecName, options: TranscodeOptions): Promise<AudioEncoderConfig> {
  const config = track.config!;
  if (!(await AudioDecoder.isConfigSupported(config)).supported) {
    throw new CliError(EXIT.unsupported, `cannot decode the input's audio (${config.codec}) on this machine`);
  }
  const encoderConfig: AudioEncoderConfig = {
    codec: audioCodecString(name),
    sampleRate: track.sampleRate,
    numberOfChannels: track.numberOfChannels,
    ...(options.audioBitrate !== undefined ? { bitrate: options.audioBitrate } : {}),
  };
  if (!(await AudioEncoder.isConfigSupported(encoderConfig)).supported) {
    throw new CliError(
      EXIT.unsupported,
      `cannot encode ${name} (${track.numberOfChannels} channels at ${track.sampleRate} Hz) on this machine; audio codecs it can encode: ${await supportedEncoders('audio')}`,
    );
  }
  return encoderConfig;
}

export async function transcode(options: TranscodeOptions): Promise<TranscodeResult> {
  const format = options.format ?? (options.output === '-' ? null : muxerFormatForPath(options.output));
  if (format === null) {
    throw new CliError(EXIT.usage, `cannot tell the output format from "${options.output}"; add --format (${Object.keys(MUXER_FORMATS).join(', ')})`);
  }
  if (options.output === '-' && !MUXER_FORMATS[format].streamable) {
    throw new CliError(EXIT.usage, `${format} cannot be written to standard output (it seeks back); use a file, or --format fmp4`);
  }
  const demuxer = await Demuxer.open(options.input === '-' ? process.stdin : options.input);
  try {
    return await run(demuxer, format, options);
  } finally {
    demuxer.close();
  }
}

async function run(demuxer: Demuxer, format: MuxerFormat, options: TranscodeOptions): Promise<TranscodeResult> {
  const defaults = DEFAULT_CODECS[format];
  const videoName = options.videoCodec ?? defaults.video;
  const audioName = options.audioCodec ?? defaults.audio;
  const videoTrack = AUDIO_ONLY.has(format) || videoName === null ? undefined : demuxer.tracks.find((t): t is VideoTrack => t.kind === 'video');
  const audioTrack = VIDEO_ONLY.has(format) || audioName === null ? undefined : demuxer.tracks.find((t): t is AudioTrack => t.kind === 'audio');
  for (const track of [videoTrack, audioTrack]) {
    if (track !== undefined && track.config === null) {
      throw new CliError(EXIT.unsupported, `the input's ${track.kind} codec (${track.codecName}) has no WebCodecs decoder`);
    }
  }
  if (videoTrack === undefined && audioTrack === undefined) {
    throw new CliError(EXIT.unsupported, `the input has no track that ${format} can hold`);
  }
  const video = videoTrack !== undefined ? await videoStage(videoTrack, videoName!, options) : null;
  const audioConfig = audioTrack !== undefined ? await audioStage(audioTrack, audioName!, options) : null;

  // Start the output at 0 when the input starts later (MPEG-TS usually does).
  const starts = [videoTrack, audioTrack].flatMap((t) => (t?.startTime != null ? [t.startTime] : []));
  const offset = starts.length > 0 ? Math.max(0, Math.min(...starts)) : 0;

  const muxTracks: MuxerTrackInit[] = [];
  const videoIndex = video !== null ? muxTracks.push({ kind: 'video', frameRate: video.framerate }) - 1 : -1;
  const audioIndex = audioConfig !== null ? muxTracks.push({ kind: 'audio' }) - 1 : -1;
  const muxer = new Muxer({ format, tracks: muxTracks, ...(options.output !== '-' ? { path: options.output } : {}) });

  const signal = options.signal;
  const withSignal = signal !== undefined ? { signal } : {};
  const pipes: Promise<unknown>[] = [];
  const streams = demuxer.trackStreams();
  streams.forEach((stream, i) => {
    if (i !== videoTrack?.index && i !== audioTrack?.index) void stream.cancel();
  });

  // Standard output: the muxer's byte stream goes there, read while it is written.
  const written = muxer.readable?.pipeTo(Writable.toWeb(process.stdout) as WritableStream<Uint8Array>, withSignal);
  const writer = muxer.writable.getWriter();
  const progress = { frames: 0, audioChunks: 0, mediaTime: 0 };
  // Frames are the video's, or the audio packets' for outputs without video.
  const report = (): void =>
    options.onProgress?.({ frames: video !== null ? progress.frames : progress.audioChunks, mediaTime: progress.mediaTime, duration: demuxer.format.duration });
  const sink = (track: number, kind: 'video' | 'audio') =>
    new WritableStream<EncodedOutput>({
      write: async ({ chunk, metadata }) => {
        const out = shifted(chunk, offset);
        await writer.write({ track, chunk: out, metadata });
        if (kind === 'video') progress.frames++;
        else progress.audioChunks++;
        progress.mediaTime = Math.max(progress.mediaTime, out.timestamp + (out.duration ?? 0));
        report();
      },
    });

  if (video !== null && videoTrack !== undefined) {
    const decoder = new VideoDecoderStream(videoTrack.config!, withSignal);
    const encoder = new VideoEncoderStream(video.encoderConfig, withSignal);
    let frames: ReadableStream<VideoFrame> = (streams[videoTrack.index] as ReadableStream<EncodedVideoChunk>).pipeThrough(decoder, withSignal);
    if (options.fps !== undefined) frames = frames.pipeThrough(frameRateConverter(options.fps), withSignal);
    pipes.push(frames.pipeThrough(encoder, withSignal).pipeTo(sink(videoIndex, 'video'), withSignal));
  }
  if (audioConfig !== null && audioTrack !== undefined) {
    const decoder = new AudioDecoderStream(audioTrack.config!, withSignal);
    const encoder = new AudioEncoderStream(audioConfig, withSignal);
    pipes.push(
      (streams[audioTrack.index] as ReadableStream<EncodedAudioChunk>)
        .pipeThrough(decoder, withSignal)
        .pipeThrough(encoder, withSignal)
        .pipeTo(sink(audioIndex, 'audio'), withSignal),
    );
  }
  try {
    await Promise.all(pipes);
    await writer.close();
    await written;
  } catch (error) {
    await writer.abort(error).catch(() => {});
    throw signal?.aborted ? new CliError(EXIT.interrupted, 'interrupted') : error;
  }
  report();
  return {
    format,
    video: video !== null ? { codec: video.encoderConfig.codec, frames: progress.frames } : null,
    audio: audioConfig !== null ? { codec: audioConfig.codec, chunks: progress.audioChunks } : null,
    duration: progress.mediaTime,
  };
}
