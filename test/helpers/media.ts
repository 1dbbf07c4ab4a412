// Synthetic, deterministic media for tests: a moving gradient with a little noise (so encoders
// have real work and PSNR means something), and PSNR between two planes.
import { VideoFrame } from '../../src/index.js';

/** Deterministic pseudo-random bytes (xorshift), so every run encodes the same pixels. */
function noise(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) & 0xff;
  };
}

/** A tightly packed I420 picture of frame `index` of the test clip. */
export function i420Pattern(width: number, height: number, index: number): Uint8Array {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const data = new Uint8Array(width * height + 2 * cw * ch);
  const rand = noise(index + 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = ((x + index * 4) * 255) / width + ((y + index * 2) * 64) / height;
      data[y * width + x] = (v + (rand() & 7)) & 0xff;
    }
  }
  const u = width * height;
  const v = u + cw * ch;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      data[u + y * cw + x] = (128 + ((x - index) & 63)) & 0xff;
      data[v + y * cw + x] = (128 + ((y + index) & 63)) & 0xff;
    }
  }
  return data;
}

export function makeI420Frame(width: number, height: number, index: number, fps = 30): VideoFrame {
  const duration = Math.round(1e6 / fps);
  return new VideoFrame(i420Pattern(width, height, index), {
    format: 'I420',
    codedWidth: width,
    codedHeight: height,
    timestamp: index * duration,
    duration,
  });
}

/** PSNR in dB between two equally sized byte arrays (8-bit samples). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`psnr: sizes differ (${a.length} vs ${b.length})`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  if (sum === 0) return Infinity;
  const mse = sum / a.length;
  return 10 * Math.log10((255 * 255) / mse);
}

/** The frame's visible pixels in its own format, tightly packed. */
export async function pixelsOf(frame: VideoFrame): Promise<Uint8Array> {
  const out = new Uint8Array(frame.allocationSize());
  await frame.copyTo(out);
  return out;
}
