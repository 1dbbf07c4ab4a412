// Memory through an encoder stream: 10,000 1080p frames written into a VideoEncoderStream as
// fast as the encoder takes them, with a consumer that reads slower than it could; peak RSS per
// quarter shows whether memory stays flat (bounded by backpressure) rather than growing.
import { VideoEncoderStream, VideoFrame } from '../../dist/index.js';
import { measureInProcess, rawI420, readFrames } from '../lib.mjs';

export async function streamMemoryCase({ width = 1920, height = 1080, frames = 10_000, highWaterMark = undefined, readableHighWaterMark = undefined } = {}) {
  const source = readFrames(rawI420(width, height, 30), width, height);
  const quarters = [0, 0, 0, 0];
  let written = 0;
  const sample = setInterval(() => {
    const q = Math.min(3, Math.floor((written / frames) * 4));
    quarters[q] = Math.max(quarters[q], process.memoryUsage().rss / (1 << 20));
  }, 10);
  const result = await measureInProcess(async () => {
    const options = { ...(highWaterMark ? { highWaterMark } : {}), ...(readableHighWaterMark ? { readableHighWaterMark } : {}) };
    const stream = new VideoEncoderStream({ codec: 'avc1.640028', width, height, bitrate: 4_000_000, framerate: 30, latencyMode: 'realtime' }, options);
    const producer = (async () => {
      const writer = stream.writable.getWriter();
      for (let i = 0; i < frames; i++) {
        await writer.write(new VideoFrame(source[i % source.length], { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i * 33333, duration: 33333 }));
        written++;
      }
      await writer.close();
    })();
    let chunks = 0;
    for await (const { chunk } of stream.readable) {
      chunks++;
      if (chunks % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5)); // a slower consumer, now and then
      void chunk;
    }
    await producer;
    return chunks;
  });
  clearInterval(sample);
  return {
    name: `${frames} frames ${width}x${height} through a VideoEncoderStream (slow consumer)`,
    frames,
    ours: { fps: result.value / result.wall, cpu: result.cpu, peakRssMb: result.peakRssMb, loop: [result.loopP50, result.loopP99, result.loopMax], bytes: NaN, psnr: NaN },
    ffmpeg: { fps: NaN, cpu: NaN, peakRssMb: NaN, bytes: NaN, psnr: NaN },
    note: `peak RSS by quarter: ${quarters.map((q) => q.toFixed(0)).join(' / ')} MB`,
    quarters,
  };
}

/** The same case in a fresh process, for a clean RSS. */
export async function streamMemoryCaseIsolated(options = {}) {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const child = fileURLToPath(new URL('../stream-memory-child.mjs', import.meta.url));
  const { width = 1920, height = 1080, frames = 10_000, highWaterMark = 0, readableHighWaterMark = 0 } = options;
  const result = spawnSync(process.execPath, [child, width, height, frames, highWaterMark, readableHighWaterMark].map(String), { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`stream memory case failed: ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout);
}
