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
  /** The codec string of [[active decoder config]], parsed (its colour fields feed detection). */
  #activeCodec: ParsedVideoCodec | null = null;
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
      this.#activeCodec = plan.supported ? plan.parsed : null;
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
    this.#activeCodec = null;
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
      colorSpace: withOverride(detectedColorSpace(out, this.#activeCodec), config?.colorSpace),
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

/** "Output VideoFrames" step 4: the colour space the bitstream states. Members the bitstream
 * leaves unspecified come from the codec string's colour fields when it has them (a VP9 bitstream
 * carries only the matrix and range; "vp09.02.10.10.01.09.16.09.00" names BT.2020 primaries and
 * PQ transfer). When none of primaries, transfer and matrix is known, nothing was detected and
 * "Pick Color Space" gives the format's default (REC709 for YUV), keeping the range if known. */
function detectedColorSpace(out: NativeFrameOutput, codec: ParsedVideoCodec | null): VideoColorSpaceInit {
  const info = out.frame.info()!;
  const UNSPECIFIED = 2;
  const RANGE_UNSPECIFIED = 0;
  const declared = codec !== null && 'colorPrimaries' in codec && codec.colorPrimaries !== undefined ? codec : null;
  const codes = {
    primaries: info.primaries !== UNSPECIFIED ? info.primaries : (declared?.colorPrimaries ?? UNSPECIFIED),
    transfer: info.transfer !== UNSPECIFIED ? info.transfer : (declared?.transferCharacteristics ?? UNSPECIFIED),
    matrix: info.matrix !== UNSPECIFIED ? info.matrix : (declared?.matrixCoefficients ?? UNSPECIFIED),
    range: info.range !== RANGE_UNSPECIFIED || declared === null ? info.range : declared.fullRange ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG,
  };
  if (codes.primaries !== UNSPECIFIED || codes.transfer !== UNSPECIFIED || codes.matrix !== UNSPECIFIED) {
    return colorSpaceFromFFmpeg(codes).toJSON();
  }
  const fallback = pickDefaultColorSpace((info.format || 'I420') as VideoPixelFormat).toJSON();
  const range = colorSpaceFromFFmpeg(codes).fullRange;
  return range === null ? fallback : { ...fallback, fullRange: range };
}

const AVCOL_RANGE_MPEG = 1;
const AVCOL_RANGE_JPEG = 2;

/** "Output VideoFrames" step 5 with "Pick Color Space": the config's colorSpace overrides what was
 * detected, and (as the spec lets User Agents do) its null members are filled with the detected
 * values, so `colorSpace: { primaries: 'bt709' }` overrides the primaries only. */
function withOverride(detected: VideoColorSpaceInit, override: VideoColorSpaceInit | undefined): VideoColorSpaceInit {
  if (override === undefined) return detected;
  const merged: VideoColorSpaceInit = { ...detected };
  for (const key of ['primaries', 'transfer', 'matrix', 'fullRange'] as const) {
    const value = override[key];
    if (value !== undefined && value !== null) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
