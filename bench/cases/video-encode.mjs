// Video encode: our VideoEncoder against the ffmpeg CLI with identical encoder settings on the
// same raw input (same encoder, preset, threads, rate control, GOP).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VideoEncoder, VideoFrame } from '../../dist/index.js';
import { WORK, ivf, measureInProcess, psnrOf, rawI420, readFrames, rgbaOf, runTimed } from '../lib.mjs';

/** ffmpeg arguments equivalent to what our encoders set for each codec (native/x264_frame_encoder.cc,
 * aom_frame_encoder.cc, lavc_frame_encoder.cc), so both sides run the same encoder library with the
 * same preset, rate control, GOP and colour signalling. Both latency modes are zero-latency (one
 * chunk per frame, as browsers give): x264/x265 tune zerolatency, libvpx/libaom lag-in-frames 0. */
export function ffmpegEncoderArgs(codec, latencyMode, bitrate) {
  const realtime = latencyMode === 'realtime';
  const common = ['-b:v', String(bitrate), '-g', '250', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv'];
  switch (codec) {
    case 'h264':
      return ['-c:v', 'libx264', '-preset', realtime ? 'veryfast' : 'medium', '-tune', 'zerolatency', '-forced-idr', '1', ...common];
    case 'hevc':
      return ['-c:v', 'libx265', '-preset', realtime ? 'ultrafast' : 'fast', '-tune', 'zerolatency', '-forced-idr', '1', '-x265-params', 'log-level=error:open-gop=0', ...common];
    case 'vp8':
      return ['-c:v', 'libvpx', '-deadline', realtime ? 'realtime' : 'good', '-cpu-used', realtime ? '8' : '2', '-lag-in-frames', '0', ...common];
    case 'vp9':
      return ['-c:v', 'libvpx-vp9', '-deadline', realtime ? 'realtime' : 'good', '-cpu-used', realtime ? '8' : '4', '-lag-in-frames', '0', '-row-mt', '1', ...common];
    case 'av1':
      return ['-c:v', 'libaom-av1', '-usage', realtime ? 'realtime' : 'good', '-cpu-used', realtime ? '8' : '6', '-lag-in-frames', '0', '-row-mt', '1', ...common];
    default:
      throw new Error(`no ffmpeg baseline for ${codec}`);
  }
}

export const CODEC_STRINGS = { h264: 'avc1.640033', hevc: 'hvc1.1.6.L123.B0', vp8: 'vp8', vp9: 'vp09.00.41.08', av1: 'av01.0.08M.08' };
const FORMATS = { h264: ['-f', 'h264'], hevc: ['-f', 'hevc'], vp8: ['-f', 'ivf'], vp9: ['-f', 'ivf'], av1: ['-f', 'ivf'] };
const FOURCC = { vp8: 'VP80', vp9: 'VP90', av1: 'AV01' };

/** Encodes `frames` with our VideoEncoder, keeping at most `inFlight` frames queued (as a
 * well-behaved application does: wait for `dequeue`). */
async function encodeOurs(config, frames, fps, outPath, fourcc, format = 'I420') {
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
    const frame = new VideoFrame(frames[i], { format, codedWidth: config.width, codedHeight: config.height, timestamp: i * duration, duration });
    encoder.encode(frame);
    frame.close();
  }
  await encoder.flush();
  encoder.close();
  if (error) throw error;
  const data = fourcc ? ivf(fourcc, config.width, config.height, chunks) : Buffer.concat(chunks);
  writeFileSync(outPath, data);
  return chunks.reduce((n, c) => n + c.length, 0);
}

export async function videoEncodeCase({ codec, width, height, frames: count, latencyMode, bitrate, fps = 30, rgba = false }) {
  const raw = rawI420(width, height, count);
  const frames = readFrames(raw, width, height);
  const tag = `${codec}-${width}x${height}-${latencyMode}${rgba ? '-rgba' : ''}`;
  const ext = FOURCC[codec] ? 'ivf' : codec;
  const oursPath = join(WORK, `ours-${tag}.${ext}`);
  const theirsPath = join(WORK, `ffmpeg-${tag}.${ext}`);
  const inputPath = rgba ? rgbaOf(raw, width, height) : raw;
  const input = rgba ? readFrames(inputPath, width, height, 4) : frames;
  const config = { codec: CODEC_STRINGS[codec], width, height, bitrate, framerate: fps, latencyMode, avc: { format: 'annexb' }, hevc: { format: 'annexb' } };
  const ours = await measureInProcess(() => encodeOurs(config, input, fps, oursPath, FOURCC[codec], rgba ? 'RGBA' : 'I420'));
  const theirs = runTimed('ffmpeg', [
    '-hide_banner', '-benchmark', '-y', '-f', 'rawvideo', '-pix_fmt', rgba ? 'rgba' : 'yuv420p', '-s', `${width}x${height}`, '-r', String(fps), '-i', inputPath,
    ...(rgba ? ['-pix_fmt', 'yuv420p'] : []), ...ffmpegEncoderArgs(codec, latencyMode, bitrate), ...FORMATS[codec], theirsPath,
  ]);
  const theirBytes = FOURCC[codec] ? ivfPayloadBytes(theirsPath) : statSync(theirsPath).size;
  return {
    name: `${codec} encode ${width}x${height} ${latencyMode}${rgba ? ' from RGBA' : ''}`,
    frames: count,
    ours: { fps: count / ours.wall, cpu: ours.cpu, peakRssMb: ours.peakRssMb, loop: [ours.loopP50, ours.loopP99, ours.loopMax], bytes: ours.value, psnr: psnrOf(oursPath, raw, width, height) },
    ffmpeg: { fps: count / theirs.wall, cpu: theirs.cpu, peakRssMb: theirs.peakRssMb, bytes: theirBytes, psnr: psnrOf(theirsPath, raw, width, height) },
  };
}

/** Bytes of the frames in an IVF file (its headers left out, as our byte count leaves them out). */
function ivfPayloadBytes(path) {
  const data = readFileSync(path);
  let total = 0;
  for (let o = 32; o + 12 <= data.length; o += 12 + data.readUInt32LE(o)) total += data.readUInt32LE(o);
  return total;
}
