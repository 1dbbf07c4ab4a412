// AudioDecoder (spec "AudioDecoder Interface") on the shared codec processing model.
import { native, type NativeCodecWorker, type NativeFrameOutput, type NativeOutput } from '../native.js';
import { AudioData } from './audio-data.js';
import { CodecBase, type WebCodecsErrorCallback } from './codec-base.js';
import { planAudioDecoder } from './config/audio-codecs.js';
import { parseAudioDecoderConfig, type AudioDecoderConfig } from './config/audio-decoder-config.js';
import { EncodedAudioChunk } from './encoded-audio-chunk.js';
import { EncodedChunk } from './encoded-chunk.js';
import { requireDictionary, requireFunction } from './webidl.js';

export type { AudioDecoderConfig } from './config/audio-decoder-config.js';

export type AudioDataOutputCallback = (output: AudioData) => void;

export interface AudioDecoderInit {
  output: AudioDataOutputCallback;
  error: WebCodecsErrorCallback;
}

export interface AudioDecoderSupport {
  supported: boolean;
  config: AudioDecoderConfig;
}

const AUDIO_DECODER_INBOX = 16;

export class AudioDecoder extends CodecBase {
  #output: AudioDataOutputCallback;
  #keyChunkRequired = true;

  constructor(init: AudioDecoderInit) {
    const dict = requireDictionary(init, 'AudioDecoderInit');
    const output = requireFunction(dict.output, 'AudioDecoderInit.output') as AudioDataOutputCallback;
    const error = requireFunction(dict.error, 'AudioDecoderInit.error') as WebCodecsErrorCallback;
    // Decoded audio is small (kilobytes per chunk): a deeper inbox spares the worker a JavaScript
    // turn every few chunks at little memory cost.
    super('audio-decoder', error, typeof dict.maxQueuedBytes === 'number' ? dict.maxQueuedBytes : undefined, AUDIO_DECODER_INBOX);
    this.#output = output;
  }

  get decodeQueueSize(): number {
    return this.queueSize;
  }

  protected get queueSizeName(): string {
    return 'decodeQueueSize';
  }

  configure(config: AudioDecoderConfig): void {
    const clone = parseAudioDecoderConfig(config);
    if (this.state === 'closed') throw new DOMException('AudioDecoder is closed; create a new one', 'InvalidStateError');
    this.#keyChunkRequired = true;
    const plan = planAudioDecoder(clone);
    this.queueConfigure(plan.supported ? plan.native : null, plan.supported ? '' : `AudioDecoder: ${plan.reason}`);
  }

  decode(chunk: EncodedAudioChunk): void {
    if (!(chunk instanceof EncodedAudioChunk)) throw new TypeError('AudioDecoder.decode(): chunk must be an EncodedAudioChunk');
    this.assertConfigured('decode');
    if (this.#keyChunkRequired) {
      // Every registered audio codec's chunks are key chunks, so there is no bitstream to check.
      if (chunk.type !== 'key') {
        throw new DOMException('AudioDecoder.decode(): a key chunk is required after configure(), flush() or reset()', 'DataError');
      }
      this.#keyChunkRequired = false;
    }
    const data = EncodedChunk.dataOf(chunk);
    const timestamp = chunk.timestamp;
    const duration = chunk.duration ?? undefined;
    this.queueInput({
      bytes: data.byteLength,
      send: (worker: NativeCodecWorker, generation: number) => worker.decode(generation, data, timestamp, duration, true),
      release: () => {},
    });
  }

  protected override onFlush(): void {
    this.#keyChunkRequired = true;
  }

  protected onReset(): void {
    // Nothing to clear: configure(), the only way out of "unconfigured", sets [[key chunk required]].
  }

  protected handleOutput(output: NativeOutput): void {
    const out = output as NativeFrameOutput;
    this.invokeCallback(this.#output, AudioData.fromNative(out.frame, out.timestamp));
  }

  protected discardOutput(output: NativeOutput): void {
    (output as NativeFrameOutput).frame.close();
  }

  static async isConfigSupported(config: AudioDecoderConfig): Promise<AudioDecoderSupport> {
    const clone = parseAudioDecoderConfig(config);
    const plan = planAudioDecoder(clone);
    if (!plan.supported) return { supported: false, config: clone };
    const probe = await native.probeConfig('audio-decoder', plan.native);
    return { supported: probe.supported, config: clone };
  }

  get [Symbol.toStringTag](): string {
    return 'AudioDecoder';
  }
}
