// VideoEncoder (spec "VideoEncoder Interface") on the shared codec processing model.
import { native, type NativeCodecWorker, type NativeOutput, type NativePacketOutput } from '../native.js';
import { CodecBase, type WebCodecsErrorCallback } from './codec-base.js';
import { parseVideoCodecString } from './config/codec-string/index.js';
import { planVideoEncoder } from './config/video-codecs.js';
import { parseVideoEncoderConfig, type VideoEncoderConfig } from './config/video-encoder-config.js';
import { adoptChunkData } from './encoded-chunk.js';
import { EncodedVideoChunk } from './encoded-video-chunk.js';
import { colorSpaceFromFFmpeg, colorSpaceToFFmpeg, type VideoColorSpaceInit } from './video-color-space.js';
import { VideoFrame } from './video-frame.js';
import { requireDictionary, requireFunction } from './webidl.js';

export type { VideoEncoderConfig } from './config/video-encoder-config.js';

export interface VideoDecoderConfigOutput {
  codec: string;
  description?: ArrayBuffer;
  codedWidth?: number;
  codedHeight?: number;
  displayAspectWidth?: number;
  displayAspectHeight?: number;
  colorSpace?: VideoColorSpaceInit;
  rotation?: number;
  flip?: boolean;
}

export interface EncodedVideoChunkMetadata {
  decoderConfig?: VideoDecoderConfigOutput;
  svc?: { temporalLayerId: number };
  alphaSideData?: ArrayBuffer;
}

export type EncodedVideoChunkOutputCallback = (chunk: EncodedVideoChunk, metadata?: EncodedVideoChunkMetadata) => void;

export interface VideoEncoderInit {
  output: EncodedVideoChunkOutputCallback;
  error: WebCodecsErrorCallback;
}

export interface VideoEncoderEncodeOptions {
  keyFrame?: boolean;
  vp9?: { quantizer?: number | null };
  av1?: { quantizer?: number | null };
  avc?: { quantizer?: number | null };
  hevc?: { quantizer?: number | null };
}

export interface VideoEncoderSupport {
  supported: boolean;
  config: VideoEncoderConfig;
}

function equalConfigs(a: VideoDecoderConfigOutput | null, b: VideoDecoderConfigOutput): boolean {
  if (a === null) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof VideoDecoderConfigOutput>;
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x instanceof ArrayBuffer && y instanceof ArrayBuffer) {
      if (Buffer.compare(new Uint8Array(x), new Uint8Array(y)) !== 0) return false;
    } else if (typeof x === 'object' && typeof y === 'object' && x !== null && y !== null) {
      if (JSON.stringify(x) !== JSON.stringify(y)) return false;
    } else if (x !== y) {
      return false;
    }
  }
  return true;
}

export class VideoEncoder extends CodecBase {
  #output: EncodedVideoChunkOutputCallback;
  /** What encode() calls are checked against (the last configure()). */
  #latestConfig: VideoEncoderConfig | null = null;
  #activeOutputConfig: VideoDecoderConfigOutput | null = null;
  #activeOrientation: { rotation: number; flip: boolean } | null = null;
  /** The description and stream facts (codec, sizes, colour) of the latest newConfig output. */
  #pendingDescription: ArrayBuffer | undefined;
  #pendingStream: Record<string, unknown> = {};

  constructor(init: VideoEncoderInit) {
    const dict = requireDictionary(init, 'VideoEncoderInit');
    const output = requireFunction(dict.output, 'VideoEncoderInit.output') as EncodedVideoChunkOutputCallback;
    const error = requireFunction(dict.error, 'VideoEncoderInit.error') as WebCodecsErrorCallback;
    super('video-encoder', error, typeof dict.maxQueuedBytes === 'number' ? dict.maxQueuedBytes : undefined);
    this.#output = output;
  }

  get encodeQueueSize(): number {
    return this.queueSize;
  }

  protected get queueSizeName(): string {
    return 'encodeQueueSize';
  }

  configure(config: VideoEncoderConfig): void {
    const clone = parseVideoEncoderConfig(config);
    if (this.state === 'closed') {
      throw new DOMException('VideoEncoder is closed; create a new one', 'InvalidStateError');
    }
    this.#activeOrientation = null;
    const plan = planVideoEncoder(clone);
    this.#latestConfig = clone;
    // Outputs are described by what the native encoder reports with them (#outputConfig), so
    // nothing needs to change here when the codec takes the configuration.
    this.queueConfigure(plan.supported ? plan.native : null, plan.supported ? '' : `VideoEncoder: ${plan.reason}`, () => {});
  }

  encode(frame: VideoFrame, options: VideoEncoderEncodeOptions = {}): void {
    if (!(frame instanceof VideoFrame)) throw new TypeError('VideoEncoder.encode(): frame must be a VideoFrame');
    const internals = VideoFrame.internals(frame);
    if (internals === null) throw new TypeError('VideoEncoder.encode(): the frame is closed (detached)');
    this.assertConfigured('encode');
    const opts = requireDictionary(options, 'VideoEncoderEncodeOptions');
    const { slots } = internals;
    if (this.#activeOrientation !== null) {
      if (this.#activeOrientation.rotation !== slots.rotation || this.#activeOrientation.flip !== slots.flip) {
        throw new DOMException('VideoEncoder.encode(): frames must keep the rotation and flip of the first frame', 'DataError');
      }
    } else {
      this.#activeOrientation = { rotation: slots.rotation, flip: slots.flip };
    }
    const quantizer = this.#quantizerOf(opts);
    const nativeOptions: Record<string, number | boolean> = {
      keyFrame: Boolean(opts.keyFrame),
      visibleX: slots.visibleRect.x,
      visibleY: slots.visibleRect.y,
      visibleWidth: slots.visibleRect.width,
      visibleHeight: slots.visibleRect.height,
      // The encoder signals the frames' colour space in the bitstream (and decoderConfig).
      ...colorSpaceToFFmpeg(slots.colorSpace),
    };
    if (quantizer !== undefined) nativeOptions.quantizer = quantizer;
    // "Clone VideoFrame": the queue holds its own reference; the caller may close theirs at once.
    const clone = internals.nativeFrame.clone();
    const timestamp = slots.timestamp;
    const duration = slots.duration ?? undefined;
    const bytes = clone.byteLength();
    this.queueInput({
      bytes,
      send: (worker: NativeCodecWorker, generation: number) => worker.encode(generation, clone, timestamp, duration, nativeOptions),
      release: () => clone.close(),
    });
  }

  /** The per-frame quantizer of the active codec's registration (its `avc`, `hevc`, `vp9` or `av1`
   * member); options for other codecs are ignored, as is a quantizer outside "quantizer" mode. */
  #quantizerOf(opts: Record<string, unknown>): number | undefined {
    const config = this.#latestConfig;
    if (config === null || config.bitrateMode !== 'quantizer') return undefined;
    const kind = parseVideoCodecString(config.codec)?.kind;
    // The registrations' ranges: H.264/HEVC QP 0..51, VP9 and AV1 quantizer index 0..255.
    const max = kind === 'avc' || kind === 'hevc' ? 51 : kind === 'vp9' || kind === 'av1' ? 255 : undefined;
    if (kind === undefined || max === undefined) return undefined;
    const sub = opts[kind] as { quantizer?: unknown } | undefined;
    if (sub?.quantizer === undefined || sub.quantizer === null) return undefined;
    const q = Number(sub.quantizer);
    if (!Number.isInteger(q) || q < 0 || q > max) throw new TypeError(`VideoEncoder.encode(): ${kind}.quantizer must be an integer from 0 to ${max}`);
    return q;
  }

  protected onReset(): void {
    this.#latestConfig = null;
    this.#activeOutputConfig = null;
  }

  protected handleOutput(output: NativeOutput): void {
    const packet = output as NativePacketOutput;
    const init = { type: packet.key ? 'key' : 'delta', timestamp: packet.timestamp, data: undefined } as const;
    const chunk = new EncodedVideoChunk({
      ...init,
      ...(packet.duration !== undefined ? { duration: packet.duration } : {}),
      [adoptChunkData]: packet.data,
    } as unknown as ConstructorParameters<typeof EncodedVideoChunk>[0]);
    const metadata: EncodedVideoChunkMetadata = {};
    if (packet.newConfig) {
      const d = packet.description;
      this.#pendingDescription = d === undefined ? undefined : (d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer);
      this.#pendingStream = packet.extra ?? {};
      const outputConfig = this.#outputConfig();
      if (outputConfig !== null && !equalConfigs(this.#activeOutputConfig, outputConfig)) {
        this.#activeOutputConfig = outputConfig;
        metadata.decoderConfig = { ...outputConfig, ...(outputConfig.description ? { description: outputConfig.description.slice(0) } : {}) };
      }
    }
    if (packet.extra?.temporalLayerId !== undefined) metadata.svc = { temporalLayerId: Number(packet.extra.temporalLayerId) };
    const alpha = packet.extra?.alphaSideData;
    if (alpha instanceof Uint8Array) metadata.alphaSideData = alpha.buffer.slice(alpha.byteOffset, alpha.byteOffset + alpha.byteLength) as ArrayBuffer;
    this.invokeCallback(this.#output, chunk, metadata);
  }

  /** "Output EncodedVideoChunks" step 5: the VideoDecoderConfig that describes the output. The
   * codec string, sizes and colour come from the encoder that produced it (a reconfigure's
   * drained outputs belong to the previous configuration). */
  #outputConfig(): VideoDecoderConfigOutput | null {
    const stream = this.#pendingStream;
    if (typeof stream.codec !== 'string') return null;
    const out: VideoDecoderConfigOutput = {
      codec: stream.codec,
      codedWidth: Number(stream.codedWidth),
      codedHeight: Number(stream.codedHeight),
      rotation: this.#activeOrientation?.rotation ?? 0,
      flip: this.#activeOrientation?.flip ?? false,
    };
    if (stream.displayAspectWidth !== undefined && stream.displayAspectHeight !== undefined) {
      out.displayAspectWidth = Number(stream.displayAspectWidth);
      out.displayAspectHeight = Number(stream.displayAspectHeight);
    }
    if (stream.primaries !== undefined) {
      out.colorSpace = colorSpaceFromFFmpeg({
        primaries: Number(stream.primaries),
        transfer: Number(stream.transfer),
        matrix: Number(stream.matrix),
        range: Number(stream.range),
      }).toJSON();
    }
    if (this.#pendingDescription !== undefined) out.description = this.#pendingDescription;
    return out;
  }

  protected discardOutput(): void {
    // Packets own no native resources.
  }

  static async isConfigSupported(config: VideoEncoderConfig): Promise<VideoEncoderSupport> {
    const clone = parseVideoEncoderConfig(config);
    const plan = planVideoEncoder(clone);
    if (!plan.supported) return { supported: false, config: clone };
    const probe = await native.probeConfig('video-encoder', plan.native);
    return { supported: probe.supported, config: clone };
  }

  get [Symbol.toStringTag](): string {
    return 'VideoEncoder';
  }
}
