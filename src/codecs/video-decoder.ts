// VideoDecoder (spec "VideoDecoder Interface") on the shared codec processing model.
import { native, type NativeCodecWorker, type NativeFrameOutput, type NativeOutput } from '../native.js';
import { CodecBase, type WebCodecsErrorCallback } from './codec-base.js';
import { isKeyChunk } from './config/key-chunk.js';
import { planVideoDecoder } from './config/video-codecs.js';
import type { ParsedVideoCodec } from './config/codec-string/index.js';
import { parseVideoDecoderConfig, type VideoDecoderConfig } from './config/video-decoder-config.js';
import { EncodedChunk } from './encoded-chunk.js';
import { EncodedVideoChunk } from './encoded-video-chunk.js';
import { colorSpaceFromFFmpeg, pickDefaultColorSpace, type VideoColorSpaceInit } from './video-color-space.js';
import type { VideoPixelFormat } from './pixel-format.js';
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
  /** Applies to outputs: set when the codec has taken the configuration. */
  #activeConfig: VideoDecoderConfig | null = null;
  /** The configuration decode() calls are checked against (the last configure()). */
  #latestConfig: VideoDecoderConfig | null = null;
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
      this.#latestConfig = clone;
      this.#parsedCodec = plan.parsed;
    }
    this.queueConfigure(plan.supported ? plan.native : null, plan.supported ? '' : `VideoDecoder: ${plan.reason}`, () => {
      this.#activeConfig = clone;
    });
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
      const description = this.#latestConfig?.description as Uint8Array | undefined;
      if (this.#parsedCodec !== null && isKeyChunk(this.#parsedCodec.kind, data, description) === false) {
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
    this.#latestConfig = null;
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
      colorSpace: config?.colorSpace ?? detectedColorSpace(out),
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

/** "Output VideoFrames" step 4: the colour space the bitstream states. When it states none of
 * primaries, transfer and matrix, nothing was detected and "Pick Color Space" gives the format's
 * default (REC709 for YUV), keeping the range if the bitstream gave one. */
function detectedColorSpace(out: NativeFrameOutput): VideoColorSpaceInit {
  const info = out.frame.info()!;
  const UNSPECIFIED = 2;
  if (info.primaries !== UNSPECIFIED || info.transfer !== UNSPECIFIED || info.matrix !== UNSPECIFIED) {
    return colorSpaceFromFFmpeg(info).toJSON();
  }
  const fallback = pickDefaultColorSpace((info.format || 'I420') as VideoPixelFormat).toJSON();
  const range = colorSpaceFromFFmpeg(info).fullRange;
  return range === null ? fallback : { ...fallback, fullRange: range };
}
