// AudioEncoder (spec "AudioEncoder Interface") on the shared codec processing model.
import { native, type NativeCodecWorker, type NativeOutput, type NativePacketOutput } from '../native.js';
import { AudioData } from './audio-data.js';
import { CodecBase, type WebCodecsErrorCallback } from './codec-base.js';
import { planAudioEncoder } from './config/audio-codecs.js';
import { parseAudioEncoderConfig, type AudioEncoderConfig } from './config/audio-encoder-config.js';
import { EncodedAudioChunk } from './encoded-audio-chunk.js';
import { adoptChunkData } from './encoded-chunk.js';
import { requireDictionary, requireFunction } from './webidl.js';

export type {
  AudioEncoderConfig,
  AacBitstreamFormat,
  AacEncoderConfig,
  BitrateMode,
  FlacEncoderConfig,
  OpusApplication,
  OpusBitstreamFormat,
  OpusEncoderConfig,
  OpusSignal,
} from './config/audio-encoder-config.js';

/** The AudioDecoderConfig an encoder emits in its metadata. */
export interface AudioDecoderConfigOutput {
  codec: string;
  sampleRate: number;
  numberOfChannels: number;
  description?: ArrayBuffer;
  /** Non-standard: how many frames at the start of the decoded stream are the encoder's priming
   * (Opus pre-skip, AAC's 1024-frame delay), counted at the decoded output's sample rate (48 kHz
   * for Opus). Drop them to line decoded audio up with the input. Decoders that read it from the
   * description (Opus with an OpusHead, i.e. format "ogg") drop it themselves. */
  encoderDelay?: number;
}

export interface EncodedAudioChunkMetadata {
  decoderConfig?: AudioDecoderConfigOutput;
}

export type EncodedAudioChunkOutputCallback = (chunk: EncodedAudioChunk, metadata?: EncodedAudioChunkMetadata) => void;

export interface AudioEncoderInit {
  output: EncodedAudioChunkOutputCallback;
  error: WebCodecsErrorCallback;
}

export interface AudioEncoderSupport {
  supported: boolean;
  config: AudioEncoderConfig;
}

/** "equal dictionaries" for two output configs (ArrayBuffer members compared by content). */
function equalConfigs(a: AudioDecoderConfigOutput | null, b: AudioDecoderConfigOutput): boolean {
  if (a === null) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof AudioDecoderConfigOutput>;
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x instanceof ArrayBuffer && y instanceof ArrayBuffer) {
      if (Buffer.compare(new Uint8Array(x), new Uint8Array(y)) !== 0) return false;
    } else if (x !== y) {
      return false;
    }
  }
  return true;
}

export class AudioEncoder extends CodecBase {
  #output: EncodedAudioChunkOutputCallback;
  #activeConfig: AudioEncoderConfig | null = null;
  #activeOutputConfig: AudioDecoderConfigOutput | null = null;

  constructor(init: AudioEncoderInit) {
    const dict = requireDictionary(init, 'AudioEncoderInit');
    const output = requireFunction(dict.output, 'AudioEncoderInit.output') as EncodedAudioChunkOutputCallback;
    const error = requireFunction(dict.error, 'AudioEncoderInit.error') as WebCodecsErrorCallback;
    super('audio-encoder', error, typeof dict.maxQueuedBytes === 'number' ? dict.maxQueuedBytes : undefined);
    this.#output = output;
  }

  get encodeQueueSize(): number {
    return this.queueSize;
  }

  protected get queueSizeName(): string {
    return 'encodeQueueSize';
  }

  configure(config: AudioEncoderConfig): void {
    const clone = parseAudioEncoderConfig(config);
    if (this.state === 'closed') throw new DOMException('AudioEncoder is closed; create a new one', 'InvalidStateError');
    const plan = planAudioEncoder(clone);
    this.queueConfigure(plan.supported ? plan.native : null, plan.supported ? '' : `AudioEncoder: ${plan.reason}`, () => {
      this.#activeConfig = clone;
    });
  }

  encode(data: AudioData): void {
    if (!(data instanceof AudioData)) throw new TypeError('AudioEncoder.encode(): data must be an AudioData');
    const internals = AudioData.internals(data);
    if (internals === null) throw new TypeError('AudioEncoder.encode(): the AudioData is closed (detached)');
    this.assertConfigured('encode');
    // "Clone AudioData": the queue holds its own reference; the caller may close theirs at once.
    const clone = internals.nativeFrame.clone();
    const timestamp = internals.timestamp;
    const bytes = clone.byteLength();
    this.queueInput({
      bytes,
      send: (worker: NativeCodecWorker, generation: number) => worker.encode(generation, clone, timestamp, undefined, {}),
      release: () => clone.close(),
    });
  }

  protected onReset(): void {
    this.#activeConfig = null;
    this.#activeOutputConfig = null;
  }

  protected handleOutput(output: NativeOutput): void {
    const packet = output as NativePacketOutput;
    const chunk = new EncodedAudioChunk({
      type: 'key',
      timestamp: packet.timestamp,
      ...(packet.duration !== undefined ? { duration: packet.duration } : {}),
      [adoptChunkData]: packet.data,
    } as unknown as ConstructorParameters<typeof EncodedAudioChunk>[0]);
    const metadata: EncodedAudioChunkMetadata = {};
    if (packet.newConfig && this.#activeConfig !== null) {
      // "Output EncodedAudioChunks" steps 5-6: the config that decodes this chunk, reported when
      // it differs from the last one reported.
      const config: AudioDecoderConfigOutput = {
        codec: this.#activeConfig.codec,
        sampleRate: this.#activeConfig.sampleRate,
        numberOfChannels: this.#activeConfig.numberOfChannels,
      };
      if (packet.description !== undefined) {
        const d = packet.description;
        config.description = d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer;
      }
      if (packet.extra?.encoderDelay !== undefined) config.encoderDelay = Number(packet.extra.encoderDelay);
      if (!equalConfigs(this.#activeOutputConfig, config)) {
        this.#activeOutputConfig = config;
        metadata.decoderConfig = { ...config, ...(config.description ? { description: config.description.slice(0) } : {}) };
      }
    }
    this.invokeCallback(this.#output, chunk, metadata);
  }

  protected discardOutput(): void {
    // Packets own no native resources.
  }

  static async isConfigSupported(config: AudioEncoderConfig): Promise<AudioEncoderSupport> {
    const clone = parseAudioEncoderConfig(config);
    const plan = planAudioEncoder(clone);
    if (!plan.supported) return { supported: false, config: clone };
    const probe = await native.probeConfig('audio-encoder', plan.native);
    return { supported: probe.supported, config: clone };
  }

  get [Symbol.toStringTag](): string {
    return 'AudioEncoder';
  }
}
