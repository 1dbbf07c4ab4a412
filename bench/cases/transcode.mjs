// A full transcode through the library's streams (file -> Demuxer -> VideoDecoderStream ->
// VideoEncoderStream -> Muxer -> file) against `ffmpeg -i in.mp4 ... out.mp4` with the same
// encoder settings.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Demuxer, Muxer, VideoDecoderStream, VideoEncoderStream } from '../../dist/index.js';
import { WORK, measureInProcess, psnrOf, rawI420, runTimed } from '../lib.mjs';
import { ffmpegEncoderArgs } from './video-encode.mjs';

function sourceFile(width, height, frames) {
  const path = join(WORK, `transcode-src-${width}x${height}-${frames}.mp4`);
  if (existsSync(path)) return path;
  const raw = rawI420(width, height, frames);
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', '30', '-i', raw, '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '8M', path]);
  if (r.status !== 0) throw new Error('could not make the transcode source');
  return path;
}

async function transcodeOurs(input, output, bitrate) {
  const demuxer = await Demuxer.open(input);
  const [track] = demuxer.tracks;
  const { codedWidth: width, codedHeight: height } = track.config;
  const muxer = new Muxer({ format: 'mp4', path: output, tracks: [{ kind: 'video' }] });
  let frames = 0;
  await demuxer.trackStreams()[0]
    .pipeThrough(new VideoDecoderStream(track.config))
    .pipeThrough(new VideoEncoderStream({ codec: 'avc1.640028', width, height, bitrate, framerate: 30, latencyMode: 'realtime' }))
    .pipeThrough(new TransformStream({ transform: (out, c) => { frames++; c.enqueue({ track: 0, ...out }); } }))
    .pipeTo(muxer.writable);
  demuxer.close();
  return frames;
}

export async function transcodeCase({ width, height, frames, bitrate }) {
  const input = sourceFile(width, height, frames);
  const ours = join(WORK, 'transcode-ours.mp4');
  const theirs = join(WORK, 'transcode-ffmpeg.mp4');
  const m = await measureInProcess(() => transcodeOurs(input, ours, bitrate));
  const t = runTimed('ffmpeg', ['-hide_banner', '-benchmark', '-y', '-i', input, ...ffmpegEncoderArgs('h264', 'realtime', bitrate), '-profile:v', 'high', theirs]);
  const raw = rawI420(width, height, frames);
  return {
    name: `transcode H.264 MP4 -> H.264 MP4 ${width}x${height} through the streams`,
    frames,
    ours: { fps: m.value / m.wall, cpu: m.cpu, peakRssMb: m.peakRssMb, loop: [m.loopP50, m.loopP99, m.loopMax], bytes: NaN, psnr: psnrOf(ours, raw, width, height) },
    ffmpeg: { fps: frames / t.wall, cpu: t.cpu, peakRssMb: t.peakRssMb, bytes: NaN, psnr: psnrOf(theirs, raw, width, height) },
  };
}
