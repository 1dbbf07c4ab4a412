// VideoEncoder (spec "VideoEncoder Interface") on the shared codec processing model.
import { native, type NativeCodecWorker, type NativeOutput, type NativePacketOutput } from '../native.js';
import { CodecBase, type WebCodecsErrorCallback } from './codec-base.js';
import { planVideoEncoder } from './config/video-codecs.js';
import { parseVideoEncoderConfig, type VideoEncoderConfig } from './config/video-encoder-config.js';
import { adoptChunkData } from './encoded-chunk.js';
import { EncodedVideoChunk } from './encoded-video-chunk.js';
import type { VideoColorSpaceInit } from './video-color-space.js';
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
  #activeConfig: VideoEncoderConfig | null = null;
  #activeOutputConfig: VideoDecoderConfigOutput | null = null;
  #activeOrientation: { rotation: number; flip: boolean } | null = null;
  /** Orientation of each queued frame, in input order, for the outputs' decoderConfig. */
  #pendingDescription: ArrayBuffer | undefined;

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
    if (plan.supported) this.#activeConfig = clone;
    this.queueConfigure(plan.supported ? plan.native : null, plan.supported ? '' : `VideoEncoder: ${plan.reason}`);
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

  #quantizerOf(opts: Record<string, unknown>): number | undefined {
    for (const key of ['avc', 'hevc', 'vp9', 'av1']) {
      const sub = opts[key] as { quantizer?: unknown } | undefined;
      if (sub?.quantizer !== undefined && sub.quantizer !== null) {
        const q = Number(sub.quantizer);
        if (!Number.isInteger(q) || q < 0 || q > 0xffff) throw new TypeError(`${key}.quantizer must be an unsigned short`);
        return q;
      }
    }
    return undefined;
  }

  protected onReset(): void {
    this.#activeConfig = null;
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
      if (packet.description !== undefined) {
        const d = packet.description;
        this.#pendingDescription = d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer;
      } else {
        this.#pendingDescription = undefined;
      }
      const outputConfig = this.#outputConfig();
      if (outputConfig !== null && !equalConfigs(this.#activeOutputConfig, outputConfig)) {
        this.#activeOutputConfig = outputConfig;
        metadata.decoderConfig = { ...outputConfig, ...(outputConfig.description ? { description: outputConfig.description.slice(0) } : {}) };
      }
    }
    if (packet.extra?.temporalLayerId !== undefined) metadata.svc = { temporalLayerId: Number(packet.extra.temporalLayerId) };
    this.invokeCallback(this.#output, chunk, metadata);
  }

  /** "Output EncodedVideoChunks" step 5: the VideoDecoderConfig that describes the output. */
  #outputConfig(): VideoDecoderConfigOutput | null {
    const config = this.#activeConfig;
    if (config === null) return null;
    const out: VideoDecoderConfigOutput = {
      codec: config.codec,
      codedWidth: config.width,
      codedHeight: config.height,
      rotation: this.#activeOrientation?.rotation ?? 0,
      flip: this.#activeOrientation?.flip ?? false,
    };
    if (config.displayWidth !== undefined && config.displayHeight !== undefined) {
      out.displayAspectWidth = config.displayWidth;
      out.displayAspectHeight = config.displayHeight;
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
