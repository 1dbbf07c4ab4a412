// Shared pieces of the stream tests: codec streams over the deterministic test codec (so delay,
// latency and failures are known), frame and chunk sources, and readers that close what they read.
import { EncodedVideoChunk, VideoFrame, getLiveCounters, type EncodedVideoChunkMetadata } from '../../src/index.js';
import { TestCodec, type TestCodecConfig } from '../../src/testing.js';
import { DecoderStream, type DecoderStreamOptions } from '../../src/streams/decoder-stream.js';
import { EncoderStream, type EncoderStreamOptions, type EncoderStreamOutput } from '../../src/streams/encoder-stream.js';

/** TestCodec with the spec encoder's queue-size name. */
class TestEncoder extends TestCodec {
  get encodeQueueSize(): number {
    return this.queueLength;
  }
}

/** TestCodec with the spec decoder's queue-size name. */
class TestDecoder extends TestCodec {
  get decodeQueueSize(): number {
    return this.queueLength;
  }
}

/** Frames in, 8-byte chunks (the timestamp) out; `delay` inputs held before each output. */
export class TestEncoderStream extends EncoderStream<VideoFrame, { keyFrame?: boolean }, TestCodecConfig, EncodedVideoChunk, EncodedVideoChunkMetadata> {
  constructor(config: TestCodecConfig = {}, options?: EncoderStreamOptions) {
    super(
      (init) => new TestEncoder({ output: (chunk) => init.output(chunk as EncodedVideoChunk, {}), error: init.error }),
      config,
      options,
    );
  }
}

/** Chunks in, 2x2 I420 frames out (same timestamps); `delay` inputs held before each output. */
export class TestDecoderStream extends DecoderStream<EncodedVideoChunk, TestCodecConfig, VideoFrame> {
  constructor(config: TestCodecConfig | null = {}, options?: DecoderStreamOptions) {
    super((init) => new TestDecoder({ output: (frame) => init.output(frame as VideoFrame), error: init.error }), config, options);
  }
}

export function liveFrames(): number {
  return getLiveCounters().videoFrames;
}

export function makeFrame(index: number, width = 16, height = 16): VideoFrame {
  return new VideoFrame(new Uint8Array((width * height * 3) / 2).fill(index & 0xff), {
    format: 'I420',
    codedWidth: width,
    codedHeight: height,
    timestamp: index * 1000,
    duration: 1000,
  });
}

export function makeChunk(index: number, type: 'key' | 'delta' = 'key'): EncodedVideoChunk {
  return new EncodedVideoChunk({ type, timestamp: index * 1000, duration: 1000, data: new Uint8Array([index & 0xff]) });
}

/** A pull source of `count` items, each made only when asked for (so the source holds none). */
export function pullSource<T>(count: number, make: (index: number) => T): ReadableStream<T> {
  let index = 0;
  return new ReadableStream<T>(
    {
      pull(controller) {
        if (index >= count) controller.close();
        else controller.enqueue(make(index++));
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads everything, closing frames at once; returns the timestamps in read order. */
export async function drainTimestamps(readable: ReadableStream<VideoFrame | EncoderStreamOutput<EncodedVideoChunk, unknown>>): Promise<number[]> {
  const timestamps: number[] = [];
  for await (const item of readable) {
    if (item instanceof VideoFrame) {
      timestamps.push(item.timestamp);
      item.close();
    } else {
      timestamps.push(item.chunk.timestamp);
    }
  }
  return timestamps;
}

/** Encoder outputs to chunks, for piping an encoder stream into a decoder stream. */
export function chunksOnly(): TransformStream<EncoderStreamOutput<EncodedVideoChunk, unknown>, EncodedVideoChunk> {
  return new TransformStream({
    transform: ({ chunk }, controller) => controller.enqueue(chunk),
  });
}

/** Turns of the event loop (setImmediate), for waiting on things that settle asynchronously. */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Tracks whether promises settled, to prove nothing is left pending. */
export class PromiseTracker {
  #pending = new Set<Promise<unknown>>();

  track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
    tracked.catch(() => {});
    return promise;
  }

  get pending(): number {
    return this.#pending.size;
  }
}
