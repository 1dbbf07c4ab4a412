// Test images made with the ffmpeg CLI, and ffmpeg's own decode of them as the reference.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoFrame } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'wcs-image-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A small test picture (ffmpeg's testsrc2: colour bars, gradients, a moving counter). */
export const SOURCE = 'testsrc2=size=48x32:rate=10';

/** Runs `ffmpeg -f lavfi -i <filtergraph> <args> <file>` and returns the file's path. */
export function makeImage(name: string, args: string[], source = SOURCE): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, ...args, path]);
  return path;
}

export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** ffmpeg's decode of `path` as raw `pixFmt` frames, every frame kept (no frame rate conversion). */
export function ffmpegFrames(path: string, pixFmt: string): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'], {
    maxBuffer: 64 << 20,
  });
}

/** The ffmpeg pixel format with a VideoFrame's memory layout (the JPEG range ones for full range YUV). */
export function ffmpegPixFmt(frame: VideoFrame): string {
  const full = frame.colorSpace.fullRange === true;
  switch (frame.format) {
    case 'I420': return full ? 'yuvj420p' : 'yuv420p';
    case 'I422': return full ? 'yuvj422p' : 'yuv422p';
    case 'I444': return full ? 'yuvj444p' : 'yuv444p';
    case 'I420A': return 'yuva420p';
    case 'RGBA': return 'rgba';
    case 'RGBX': return 'rgb0';
    case 'BGRA': return 'bgra';
    case 'BGRX': return 'bgr0';
    default: throw new Error(`no ffmpeg pixel format for ${String(frame.format)} in these tests`);
  }
}

/** The frame's pixels, tightly packed in its own format (the layout of ffmpeg's rawvideo). */
export async function pixelsOf(frame: VideoFrame): Promise<Uint8Array> {
  const out = new Uint8Array(frame.allocationSize());
  await frame.copyTo(out);
  return out;
}

/**
 * A byte stream that hands out `chunkSize` bytes per pull and waits a turn of the event loop
 * before each, like a slow network body.
 */
export function slowStream(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        await new Promise((resolve) => setImmediate(resolve));
        if (offset >= bytes.length) {
          controller.close();
          return;
        }
        controller.enqueue(bytes.slice(offset, offset + chunkSize));
        offset += chunkSize;
      },
    },
    { highWaterMark: 0 },
  );
}

/** A stream the test feeds by hand, to see what the decoder does before the rest arrives. */
export function manualStream(): { stream: ReadableStream<Uint8Array>; push(bytes: Uint8Array): void; end(): void; fail(error: Error): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    stream,
    push: (bytes) => controller.enqueue(bytes),
    end: () => controller.close(),
    fail: (error) => controller.error(error),
  };
}
