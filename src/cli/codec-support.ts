// Which of the command line's codecs this machine can encode and decode, asked of the library's
// own isConfigSupported() (which opens the FFmpeg codec: the answer is what would happen).
import {
  AudioDecoder,
  AudioEncoder,
  AudioData,
  VideoDecoder,
  VideoEncoder,
  type AudioDecoderConfig,
  type AudioEncoderConfig,
  type VideoEncoderConfig,
} from '../index.js';
import {
  AUDIO_CODEC_NAMES,
  VIDEO_CODEC_NAMES,
  audioCodecString,
  videoCodecString,
  videoEncoderExtras,
  type AudioCodecName,
  type VideoCodecName,
} from './codec-choices.js';

export interface CodecSupport {
  name: VideoCodecName | AudioCodecName;
  kind: 'video' | 'audio';
  codec: string;
  encode: boolean;
  /** null: unknown (the decoder needs a description that only an encoder could make here). */
  decode: boolean | null;
}

const PROBE_WIDTH = 640;
const PROBE_HEIGHT = 360;
const PROBE_RATE = 48000;

export function videoEncoderConfig(name: VideoCodecName, width: number, height: number, framerate: number, bitrate?: number): VideoEncoderConfig {
  return {
    codec: videoCodecString(name, width, height, framerate),
    width,
    height,
    framerate,
    ...(bitrate !== undefined ? { bitrate } : {}),
    ...videoEncoderExtras(name),
  } as VideoEncoderConfig;
}

async function videoSupport(name: VideoCodecName): Promise<CodecSupport> {
  const config = videoEncoderConfig(name, PROBE_WIDTH, PROBE_HEIGHT, 30);
  const encode = (await VideoEncoder.isConfigSupported(config)).supported;
  const decode = (await VideoDecoder.isConfigSupported({ codec: config.codec })).supported;
  return { name, kind: 'video', codec: config.codec, encode, decode };
}

/** FLAC and Vorbis decoders need the encoder's headers as description: make some. */
async function descriptionFromEncoder(config: AudioEncoderConfig): Promise<ArrayBuffer | undefined> {
  let description: ArrayBuffer | undefined;
  const encoder = new AudioEncoder({
    output: (_chunk, metadata) => {
      description ??= metadata?.decoderConfig?.description;
    },
    error: () => {},
  });
  encoder.configure(config);
  const frames = 4096;
  const silence = new AudioData({
    format: 'f32-planar',
    sampleRate: config.sampleRate,
    numberOfFrames: frames,
    numberOfChannels: config.numberOfChannels,
    timestamp: 0,
    data: new Float32Array(frames * config.numberOfChannels),
  });
  encoder.encode(silence);
  silence.close();
  await encoder.flush().catch(() => {});
  if (encoder.state !== 'closed') encoder.close();
  return description;
}

async function audioSupport(name: AudioCodecName): Promise<CodecSupport> {
  const codec = audioCodecString(name);
  const config: AudioEncoderConfig = { codec, sampleRate: PROBE_RATE, numberOfChannels: 2 };
  const encode = (await AudioEncoder.isConfigSupported(config)).supported;
  const decoderConfig: AudioDecoderConfig = { codec, sampleRate: PROBE_RATE, numberOfChannels: 2 };
  if (name === 'flac' || name === 'vorbis') {
    const description = encode ? await descriptionFromEncoder(config) : undefined;
    if (description === undefined) return { name, kind: 'audio', codec, encode, decode: null };
    decoderConfig.description = description;
  }
  const decode = (await AudioDecoder.isConfigSupported(decoderConfig)).supported;
  return { name, kind: 'audio', codec, encode, decode };
}

export async function codecSupport(): Promise<CodecSupport[]> {
  const rows: CodecSupport[] = [];
  for (const name of VIDEO_CODEC_NAMES) rows.push(await videoSupport(name));
  for (const name of AUDIO_CODEC_NAMES) rows.push(await audioSupport(name));
  return rows;
}
