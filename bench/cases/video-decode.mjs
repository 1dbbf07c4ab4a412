// Video decode: our VideoDecoder against `ffmpeg -i <file> -f null -` on the same bitstream.
// The bitstream is made once with our own encoder (realtime settings) and written as Annex B
// (H.264) or IVF (VP8/VP9/AV1), so both sides decode the same bytes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VideoDecoder, VideoEncoder, VideoFrame } from '../../dist/index.js';
import { WORK, ivf, measureInProcess, rawI420, readFrames, runTimed } from '../lib.mjs';

const CODECS = {
  h264: { codec: 'avc1.640033', extra: { avc: { format: 'annexb' } }, container: 'h264' },
  vp9: { codec: 'vp09.00.41.08', extra: {}, container: 'ivf', fourcc: 'VP90' },
  av1: { codec: 'av01.0.08M.08', extra: {}, container: 'ivf', fourcc: 'AV01' },
};

async function encodeChunks(config, frames) {
  const chunks = [];
  let decoderConfig;
  let error = null;
  const encoder = new VideoEncoder({
    output: (chunk, meta) => {
      chunks.push(chunk);
      if (meta?.decoderConfig) decoderConfig = meta.decoderConfig;
    },
    error: (e) => (error = e),
  });
  encoder.configure(config);
  for (let i = 0; i < frames.length; i++) {
    while (encoder.encodeQueueSize > 4) await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }));
    const frame = new VideoFrame(frames[i], { format: 'I420', codedWidth: config.width, codedHeight: config.height, timestamp: i * 33333, duration: 33333 });
    encoder.encode(frame, { keyFrame: i % 60 === 0 });
    frame.close();
  }
  await encoder.flush();
  encoder.close();
  if (error) throw error;
  return { chunks, decoderConfig };
}

async function decodeOurs(decoderConfig, chunks) {
  let frames = 0;
  let error = null;
  const decoder = new VideoDecoder({
    output: (frame) => {
      frames++;
      frame.close();
    },
    error: (e) => (error = e),
  });
  decoder.configure(decoderConfig);
  for (const chunk of chunks) {
    while (decoder.decodeQueueSize > 8) await new Promise((resolve) => decoder.addEventListener('dequeue', resolve, { once: true }));
    decoder.decode(chunk);
  }
  await decoder.flush();
  decoder.close();
  if (error) throw error;
  return frames;
}

/** Prepares a bitstream once: { path, chunks, decoderConfig }. */
export async function prepareBitstream(codec, width, height, count) {
  const spec = CODECS[codec];
  const raw = rawI420(width, height, count);
  const config = { codec: spec.codec, width, height, bitrate: width * height * 3, framerate: 30, latencyMode: 'realtime', ...spec.extra };
  const { chunks, decoderConfig } = await encodeChunks(config, readFrames(raw, width, height));
  const path = join(WORK, `decode-${codec}-${width}x${height}.${spec.container}`);
  if (spec.container === 'ivf') {
    writeFileSync(path, ivf(spec.fourcc, width, height, chunks.map((c) => {
      const b = Buffer.alloc(c.byteLength);
      c.copyTo(b);
      return b;
    })));
  } else {
    writeFileSync(path, Buffer.concat(chunks.map((c) => {
      const b = Buffer.alloc(c.byteLength);
      c.copyTo(b);
      return b;
    })));
  }
  return { path, chunks, decoderConfig };
}

export async function videoDecodeCase({ codec, width, height, frames: count, prepared }) {
  const { path, chunks, decoderConfig } = prepared ?? (await prepareBitstream(codec, width, height, count));
  const ours = await measureInProcess(() => decodeOurs(decoderConfig, chunks));
  const theirs = runTimed('ffmpeg', ['-hide_banner', '-benchmark', '-i', path, '-f', 'null', '-']);
  return {
    name: `${codec} decode ${width}x${height}`,
    frames: chunks.length,
    ours: { fps: ours.value / ours.wall, cpu: ours.cpu, peakRssMb: ours.peakRssMb, loop: [ours.loopP50, ours.loopP99, ours.loopMax], bytes: 0, psnr: NaN },
    ffmpeg: { fps: chunks.length / theirs.wall, cpu: theirs.cpu, peakRssMb: theirs.peakRssMb, bytes: 0, psnr: NaN },
  };
}

/** `count` decoders at once in this process against `count` ffmpeg processes at once. */
export async function concurrentDecodeCase({ codec, width, height, frames, decoders }) {
  const prepared = await prepareBitstream(codec, width, height, frames);
  const ours = await measureInProcess(async () => {
    const counts = await Promise.all(Array.from({ length: decoders }, () => decodeOurs(prepared.decoderConfig, prepared.chunks)));
    return counts.reduce((a, b) => a + b, 0);
  });
  const { spawn } = await import('node:child_process');
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: decoders }, () => new Promise((resolve, reject) => {
      const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', prepared.path, '-f', 'null', '-'], { stdio: 'ignore' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))));
    })),
  );
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const total = prepared.chunks.length * decoders;
  return {
    name: `${decoders} concurrent ${codec} decoders ${width}x${height}`,
    frames: total,
    ours: { fps: ours.value / ours.wall, cpu: ours.cpu, peakRssMb: ours.peakRssMb, loop: [ours.loopP50, ours.loopP99, ours.loopMax], bytes: 0, psnr: NaN },
    ffmpeg: { fps: total / wall, cpu: NaN, peakRssMb: NaN, bytes: 0, psnr: NaN },
  };
}
