// Video encode: our VideoEncoder against the ffmpeg CLI with identical encoder settings on the
// same raw input (same encoder, preset, threads, rate control, GOP).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VideoEncoder, VideoFrame } from '../../dist/index.js';
import { WORK, measureInProcess, psnrOf, rawI420, readFrames, runTimed } from '../lib.mjs';

/** ffmpeg arguments equivalent to what our native encoder core sets for each codec. */
export function ffmpegEncoderArgs(codec, latencyMode, bitrate, fps) {
  const gop = ['-g', '250'];
  switch (codec) {
    case 'h264':
      return latencyMode === 'realtime'
        ? ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-b:v', String(bitrate), ...gop]
        : ['-c:v', 'libx264', '-preset', 'medium', '-b:v', String(bitrate), ...gop];
    default:
      throw new Error(`no ffmpeg baseline for ${codec}`);
  }
}

const CODEC_STRINGS = { h264: 'avc1.640033' };
const FORMATS = { h264: ['-f', 'h264'] };

/** Encodes `frames` with our VideoEncoder, keeping at most `inFlight` frames queued (as a
 * well-behaved application does: wait for `dequeue`). */
async function encodeOurs(config, frames, fps, outPath) {
  const chunks = [];
  let error = null;
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const bytes = new Uint8Array(chunk.byteLength);
      chunk.copyTo(bytes);
      chunks.push(bytes);
    },
    error: (e) => (error = e),
  });
  encoder.configure(config);
  const duration = Math.round(1e6 / fps);
  for (let i = 0; i < frames.length; i++) {
    while (encoder.encodeQueueSize > 4) await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }));
    const frame = new VideoFrame(frames[i], { format: 'I420', codedWidth: config.width, codedHeight: config.height, timestamp: i * duration, duration });
    encoder.encode(frame);
    frame.close();
  }
  await encoder.flush();
  encoder.close();
  if (error) throw error;
  const data = Buffer.concat(chunks);
  writeFileSync(outPath, data);
  return data.length;
}

export async function videoEncodeCase({ codec, width, height, frames: count, latencyMode, bitrate, fps = 30 }) {
  const raw = rawI420(width, height, count);
  const frames = readFrames(raw, width, height);
  const tag = `${codec}-${width}x${height}-${latencyMode}`;
  const oursPath = join(WORK, `ours-${tag}.${codec}`);
  const theirsPath = join(WORK, `ffmpeg-${tag}.${codec}`);
  const config = { codec: CODEC_STRINGS[codec], width, height, bitrate, framerate: fps, latencyMode, avc: { format: 'annexb' } };
  const ours = await measureInProcess(() => encodeOurs(config, frames, fps, oursPath));
  const theirs = runTimed('ffmpeg', [
    '-hide_banner', '-benchmark', '-y', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(fps), '-i', raw,
    ...ffmpegEncoderArgs(codec, latencyMode, bitrate, fps), ...FORMATS[codec], theirsPath,
  ]);
  return {
    name: `${codec} encode ${width}x${height} ${latencyMode}`,
    frames: count,
    ours: { fps: count / ours.wall, cpu: ours.cpu, peakRssMb: ours.peakRssMb, loop: [ours.loopP50, ours.loopP99, ours.loopMax], bytes: ours.value, psnr: psnrOf(oursPath, raw, width, height) },
    ffmpeg: { fps: count / theirs.wall, cpu: theirs.cpu, peakRssMb: theirs.peakRssMb, bytes: (await import('node:fs')).statSync(theirsPath).size, psnr: psnrOf(theirsPath, raw, width, height) },
  };
}
