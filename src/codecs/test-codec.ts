// TestCodec: the native test codec (native/test_codec_core.cc) behind CodecBase, with the
// encoder-shaped surface (encode a VideoFrame, output EncodedVideoChunks) and the decoder-shaped
// one (decode a chunk, output 2x2 VideoFrames).
import type { NativeCodecWorker, NativeFrameOutput, NativeOutput, NativePacketOutput } from '../native.js';
import { CodecBase, type WebCodecsErrorCallback } from './codec-base.js';
import { adoptChunkData, EncodedChunk } from './encoded-chunk.js';
import { EncodedVideoChunk } from './encoded-video-chunk.js';
import { VideoFrame } from './video-frame.js';

export interface TestCodecConfig {
  /** Microseconds the worker sleeps per input. */
  latencyUs?: number;
  /** Inputs the codec holds before emitting the oldest (the codec's delay). */
  delay?: number;
  /** The n-th input (1-based) fails with EncodingError. */
  failAt?: number;
  /** configure() fails with NotSupportedError. */
  failConfigure?: boolean;
  /** flush() fails with EncodingError. */
  failFlush?: boolean;
}

export type TestCodecOutput = EncodedVideoChunk | VideoFrame;

const KEY_FRAME = { keyFrame: true };

export interface TestCodecInit {
  output: (output: TestCodecOutput) => void;
  error: WebCodecsErrorCallback;
  maxQueuedBytes?: number;
}

export class TestCodec extends CodecBase {
  #output: (output: TestCodecOutput) => void;

  constructor(init: TestCodecInit) {
    super('test', init.error, init.maxQueuedBytes);
    this.#output = init.output;
  }

  get queueLength(): number {
    return this.queueSize;
  }

  protected get queueSizeName(): string {
    return 'queueLength';
  }

  configure(config: TestCodecConfig = {}): void {
    const nativeConfig: Record<string, number | boolean> = {};
    for (const [key, value] of Object.entries(config)) {
      if (typeof value === 'number' || typeof value === 'boolean') nativeConfig[key] = value;
    }
    this.queueConfigure(nativeConfig);
  }

  encode(frame: VideoFrame, options: { keyFrame?: boolean } = {}): void {
    const internals = VideoFrame.internals(frame);
    if (internals === null) throw new TypeError('TestCodec.encode(): the frame is closed');
    this.assertConfigured('encode');
    const clone = internals.nativeFrame.clone();
    const { timestamp, duration } = internals.slots;
    this.queueInput({
      bytes: clone.byteLength(),
      send: (worker: NativeCodecWorker, generation: number) =>
        worker.encode(generation, clone, timestamp, duration ?? undefined, options.keyFrame === true ? KEY_FRAME : undefined),
      release: () => clone.close(),
    });
  }

  decode(chunk: EncodedVideoChunk): void {
    this.assertConfigured('decode');
    const data = EncodedChunk.dataOf(chunk);
    const { timestamp, duration, type } = chunk;
    this.queueInput({
      bytes: data.byteLength,
      send: (worker: NativeCodecWorker, generation: number) => worker.decode(generation, data, timestamp, duration ?? undefined, type === 'key'),
      release: () => {},
    });
  }

  protected onReset(): void {}

  protected handleOutput(output: NativeOutput): void {
    if ('frame' in output) {
      const out = output as NativeFrameOutput;
      this.invokeCallback(this.#output, VideoFrame.fromNative(out.frame, { timestamp: out.timestamp, duration: out.duration ?? null }));
      return;
    }
    const packet = output as NativePacketOutput;
    this.invokeCallback(
      this.#output,
      new EncodedVideoChunk({
        type: packet.key ? 'key' : 'delta',
        timestamp: packet.timestamp,
        ...(packet.duration !== undefined ? { duration: packet.duration } : {}),
        [adoptChunkData]: packet.data,
      } as unknown as ConstructorParameters<typeof EncodedVideoChunk>[0]),
    );
  }

  protected discardOutput(output: NativeOutput): void {
    if ('frame' in output) (output as NativeFrameOutput).frame.close();
  }
}
