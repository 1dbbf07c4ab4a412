// VideoDecoder (spec "VideoDecoder Interface") on the shared codec processing model.
import { native, type NativeCodecWorker, type NativeFrameOutput, type NativeOutput } from '../native.js';
import { CodecBase, type WebCodecsErrorCallback } from './codec-base.js';
import { isKeyChunk } from './config/key-chunk.js';
import { planVideoDecoder } from './config/video-codecs.js';
import type { ParsedVideoCodec } from './config/codec-string/index.js';
import { parseVideoDecoderConfig, type VideoDecoderConfig } from './config/video-decoder-config.js';
import { EncodedChunk } from './encoded-chunk.js';
import { EncodedVideoChunk } from './encoded-video-chunk.js';
import { VideoFrame } from './video-frame.js';
import { requireDictionary, requireFunction } from './webidl.js';

export type { VideoDecoderConfig } from './config/video-decoder-config.js';

export type VideoFrameOutputCallback = (output: VideoFrame) => void;

export interface VideoDecoderInit {
  output: VideoFrameOutputCallback;
  error: WebCodecsErrorCallback;
}

export interface VideoDecoderSupport {
  supported: boolean;
  config: VideoDecoderConfig;
}

export class VideoDecoder extends CodecBase {
  #output: VideoFrameOutputCallback;
  #activeConfig: VideoDecoderConfig | null = null;
  #parsedCodec: ParsedVideoCodec | null = null;
  #keyChunkRequired = true;

  constructor(init: VideoDecoderInit) {
    const dict = requireDictionary(init, 'VideoDecoderInit');
    const output = requireFunction(dict.output, 'VideoDecoderInit.output') as VideoFrameOutputCallback;
    const error = requireFunction(dict.error, 'VideoDecoderInit.error') as WebCodecsErrorCallback;
    super('video-decoder', error, typeof dict.maxQueuedBytes === 'number' ? dict.maxQueuedBytes : undefined);
    this.#output = output;
  }

  get decodeQueueSize(): number {
    return this.queueSize;
  }

  protected get queueSizeName(): string {
    return 'decodeQueueSize';
  }

  configure(config: VideoDecoderConfig): void {
    const clone = parseVideoDecoderConfig(config);
    if (this.state === 'closed') throw new DOMException('VideoDecoder is closed; create a new one', 'InvalidStateError');
    this.#keyChunkRequired = true;
    const plan = planVideoDecoder(clone);
    if (plan.supported) {
      this.#activeConfig = clone;
      this.#parsedCodec = plan.parsed;
    }
    this.queueConfigure(plan.supported ? plan.native : null, plan.supported ? '' : `VideoDecoder: ${plan.reason}`);
  }

  decode(chunk: EncodedVideoChunk): void {
    if (!(chunk instanceof EncodedVideoChunk)) throw new TypeError('VideoDecoder.decode(): chunk must be an EncodedVideoChunk');
    this.assertConfigured('decode');
    const data = EncodedChunk.dataOf(chunk);
    if (this.#keyChunkRequired) {
      if (chunk.type !== 'key') {
        throw new DOMException(
          'VideoDecoder.decode(): a key chunk is required after configure(), flush() or reset(); start from a key frame',
          'DataError',
        );
      }
      const hasDescription = this.#activeConfig?.description !== undefined;
      if (this.#parsedCodec !== null && isKeyChunk(this.#parsedCodec.kind, data, hasDescription) === false) {
        throw new DOMException('VideoDecoder.decode(): the chunk is marked "key" but its bitstream is not a key frame', 'DataError');
      }
      this.#keyChunkRequired = false;
    }
    const timestamp = chunk.timestamp;
    const duration = chunk.duration ?? undefined;
    const key = chunk.type === 'key';
    this.queueInput({
      bytes: data.byteLength,
      send: (worker: NativeCodecWorker, generation: number) => worker.decode(generation, data, timestamp, duration, key),
      release: () => {},
    });
  }

  protected override onFlush(): void {
    this.#keyChunkRequired = true;
  }

  protected onReset(): void {
    this.#activeConfig = null;
    this.#parsedCodec = null;
  }

  protected handleOutput(output: NativeOutput): void {
    const out = output as NativeFrameOutput;
    const config = this.#activeConfig;
    const frame = VideoFrame.fromNative(out.frame, {
      timestamp: out.timestamp,
      duration: out.duration ?? null,
      ...(config?.displayAspectWidth !== undefined && config.displayAspectHeight !== undefined
        ? { displayAspectWidth: config.displayAspectWidth, displayAspectHeight: config.displayAspectHeight }
        : {}),
      ...(config?.colorSpace !== undefined ? { colorSpace: config.colorSpace } : {}),
      rotation: config?.rotation ?? 0,
      flip: config?.flip ?? false,
    });
    this.invokeCallback(this.#output, frame);
  }

  protected discardOutput(output: NativeOutput): void {
    (output as NativeFrameOutput).frame.close();
  }

  static async isConfigSupported(config: VideoDecoderConfig): Promise<VideoDecoderSupport> {
    const clone = parseVideoDecoderConfig(config);
    const plan = planVideoDecoder(clone);
    if (!plan.supported) return { supported: false, config: clone };
    const probe = await native.probeConfig('video-decoder', plan.native);
    return { supported: probe.supported, config: clone };
  }

  get [Symbol.toStringTag](): string {
    return 'VideoDecoder';
  }
}
