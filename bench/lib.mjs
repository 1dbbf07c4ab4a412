// Shared pieces of the benchmark suite: deterministic raw input, the ffmpeg baseline runner,
// PSNR via ffmpeg's psnr filter, and measurement of CPU, RSS and event-loop delay.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export const WORK = join(tmpdir(), 'webcodecs-streams-bench');
mkdirSync(WORK, { recursive: true });

/** A moving pattern with noise (so encoders work as on real video), deterministic. */
export function rawI420(width, height, frames) {
  const path = join(WORK, `input-${width}x${height}-${frames}.yuv`);
  const frameSize = (width * height * 3) / 2;
  if (existsSync(path) && statSync(path).size === frameSize * frames) return path;
  const out = Buffer.alloc(frameSize * frames);
  let seed = 12345;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed & 3;
  };
  // Smooth moving gradients and a moving disc, plus a little noise: encoders reach ordinary
  // quality levels (PSNR in the 30s-40s) at ordinary bitrates, as with camera video.
  for (let i = 0; i < frames; i++) {
    const base = i * frameSize;
    const cx = width * (0.3 + 0.4 * Math.sin(i / 20));
    const cy = height * (0.5 + 0.3 * Math.cos(i / 25));
    const r2 = (Math.min(width, height) / 6) ** 2;
    for (let y = 0; y < height; y++) {
      const row = base + y * width;
      for (let x = 0; x < width; x++) {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < r2;
        const v = inside ? 220 - ((x + y) >> 3) : 40 + (((x + 2 * i) * 160) / width + (y * 40) / height);
        out[row + x] = Math.min(255, (v | 0) + rand());
      }
    }
    const cw = width / 2;
    const ch = height / 2;
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        out[base + width * height + y * cw + x] = 128 + ((((x + i) * 64) / cw) | 0) - 32;
        out[base + width * height + cw * ch + y * cw + x] = 128 + ((((y + i) * 48) / ch) | 0) - 24;
      }
    }
  }
  writeFileSync(path, out);
  return path;
}

export function readFrames(path, width, height, bytesPerPixel = 1.5) {
  const data = readFileSync(path);
  const frameSize = width * height * bytesPerPixel;
  const frames = [];
  for (let o = 0; o + frameSize <= data.length; o += frameSize) frames.push(data.subarray(o, o + frameSize));
  return frames;
}

/** The raw I420 clip converted to packed RGBA by ffmpeg (the input of the RGBA conversion case). */
export function rgbaOf(rawPath, width, height) {
  const path = rawPath.replace(/\.yuv$/, '.rgba');
  if (existsSync(path)) return path;
  const result = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-i', rawPath, '-f', 'rawvideo', '-pix_fmt', 'rgba', path]);
  if (result.status !== 0) throw new Error('ffmpeg could not make the RGBA input');
  return path;
}

/** An IVF file (VP8/VP9/AV1 elementary stream) of encoded chunks. */
export function ivf(fourcc, width, height, chunks) {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0);
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write(fourcc, 8);
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(30, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(chunks.length, 24);
  const parts = [header];
  chunks.forEach((data, i) => {
    const frameHeader = Buffer.alloc(12);
    frameHeader.writeUInt32LE(data.length, 0);
    frameHeader.writeBigUInt64LE(BigInt(i), 4);
    parts.push(frameHeader, data);
  });
  return Buffer.concat(parts);
}

/** Runs a command, returning wall seconds and the CPU seconds of the child (from /proc via time). */
export function runTimed(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr.slice(-2000)}`);
  const last = result.stderr.trim().split('\n').pop();
  const [user, sys, maxKb] = last.split(' ').map(Number);
  // With -benchmark, ffmpeg reports the time of its processing loop (rtime): process start-up and
  // option parsing are left out, so the ratio compares codec work with codec work.
  const rtime = /rtime=([0-9.]+)s/.exec(result.stderr);
  return { wall: rtime ? Number(rtime[1]) : wall, cpu: user + sys, peakRssMb: maxKb / 1024, stderr: result.stderr };
}

/** PSNR (average, all planes) of an encoded file against the raw input, with ffmpeg's psnr filter. */
export function psnrOf(encodedPath, rawPath, width, height, inputFormat = []) {
  const result = spawnSync(
    'ffmpeg',
    ['-hide_banner', ...inputFormat, '-i', encodedPath, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-i', rawPath, '-lavfi', '[0:v][1:v]psnr', '-f', 'null', '-'],
    { encoding: 'utf8' },
  );
  const match = /average:([0-9.]+|inf)/.exec(result.stderr);
  return match ? (match[1] === 'inf' ? Infinity : Number(match[1])) : NaN;
}

/** Samples this process: CPU seconds, peak RSS and event-loop delay percentiles while `fn` runs. */
export async function measureInProcess(fn) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const cpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();
  const value = await fn();
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  clearInterval(sampler);
  histogram.disable();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return {
    value,
    wall,
    cpu: (cpu.user + cpu.system) / 1e6,
    peakRssMb: peakRss / (1 << 20),
    loopP50: histogram.percentile(50) / 1e6,
    loopP99: histogram.percentile(99) / 1e6,
    loopMax: histogram.max / 1e6,
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function machine() {
  const cpu = cpus();
  const ffmpeg = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  return `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${ffmpeg}`;
}

export { createWriteStream, spawn };
