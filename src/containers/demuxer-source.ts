// Where a Demuxer reads from: a file path (read by FFmpeg itself, seekable) or a stream of bytes
// (a Node Readable, a WHATWG ReadableStream such as a fetch body, any async iterable of bytes),
// pulled one chunk at a time when the demuxer asks for more.
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ContainerError } from './container-error.js';

export type DemuxerSource = string | URL | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface ByteSource {
  /** The next chunk, or null at the end. */
  next(): Promise<Uint8Array | null>;
  cancel(reason?: unknown): void;
}

export type ResolvedSource = { kind: 'path'; path: string } | { kind: 'stream'; bytes: ByteSource };

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | null)?.getReader === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as AsyncIterable<Uint8Array> | null)?.[Symbol.asyncIterator] === 'function';
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new ContainerError('io', `the source stream gave a ${typeof chunk} chunk; a demuxer reads bytes (Uint8Array/Buffer), not text`);
}

export async function resolveSource(source: DemuxerSource): Promise<ResolvedSource> {
  if (typeof source === 'string' || source instanceof URL) {
    const path = source instanceof URL ? fileURLToPath(source) : source;
    const info = await stat(path).catch(() => null);
    if (info === null) throw new ContainerError('not-found', `no such file: ${path}`);
    if (!info.isFile()) throw new ContainerError('not-found', `not a file: ${path}`);
    return { kind: 'path', path };
  }
  if (isReadableStream(source)) {
    const reader = source.getReader();
    return {
      kind: 'stream',
      bytes: {
        next: async () => {
          const { done, value } = await reader.read();
          return done ? null : toBytes(value);
        },
        cancel: (reason) => void reader.cancel(reason).catch(() => {}),
      },
    };
  }
  if (isAsyncIterable(source)) {
    const iterator = source[Symbol.asyncIterator]();
    return {
      kind: 'stream',
      bytes: {
        next: async () => {
          const { done, value } = await iterator.next();
          return done ? null : toBytes(value);
        },
        // A Node Readable is destroyed directly: its iterator's return() waits for a pending
        // read, which never ends on an open pipe (standard input).
        cancel: () => {
          const destroy = (source as { destroy?: () => void }).destroy;
          if (typeof destroy === 'function') destroy.call(source);
          else void iterator.return?.().catch(() => {});
        },
      },
    };
  }
  throw new TypeError('Demuxer source must be a file path, a file: URL, a ReadableStream or a Node Readable (async iterable of bytes)');
}
