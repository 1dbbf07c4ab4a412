// Audio encode: our AudioEncoder against the ffmpeg CLI (same encoder and bitrate) on the same
// raw 48 kHz stereo float input. "fps" here is seconds of audio encoded per second.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AudioData, AudioEncoder } from '../../dist/index.js';
import { WORK, measureInProcess, runTimed } from '../lib.mjs';

const RATE = 48000;

function rawAudio(seconds) {
  const path = join(WORK, `audio-${seconds}s.f32`);
  const samples = new Float32Array(RATE * seconds * 2);
  for (let i = 0; i < RATE * seconds; i++) {
    const t = i / RATE;
    const v = 0.3 * Math.sin(2 * Math.PI * (220 + 200 * t) * t) + 0.05 * Math.sin(2 * Math.PI * 3000 * t);
    samples[2 * i] = v;
    samples[2 * i + 1] = 0.8 * v;
  }
  if (!existsSync(path)) writeFileSync(path, Buffer.from(samples.buffer));
  return { path, samples };
}

const CODECS = {
  opus: { codec: 'opus', args: ['-c:a', 'libopus', '-f', 'ogg'] },
  aac: { codec: 'mp4a.40.2', args: ['-c:a', 'aac', '-f', 'adts'] },
};

async function encodeOurs(codec, samples, bitrate) {
  let bytes = 0;
  let error = null;
  const encoder = new AudioEncoder({ output: (chunk) => (bytes += chunk.byteLength), error: (e) => (error = e) });
  encoder.configure({ codec, sampleRate: RATE, numberOfChannels: 2, bitrate });
  const frames = 1024;
  for (let offset = 0; offset * 2 < samples.length; offset += frames) {
    while (encoder.encodeQueueSize > 8) await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }));
    const n = Math.min(frames, samples.length / 2 - offset);
    const data = new AudioData({ format: 'f32', sampleRate: RATE, numberOfChannels: 2, numberOfFrames: n, timestamp: Math.round((offset * 1e6) / RATE), data: samples.subarray(offset * 2, (offset + n) * 2) });
    encoder.encode(data);
    data.close();
  }
  await encoder.flush();
  encoder.close();
  if (error) throw error;
  return bytes;
}

export async function audioEncodeCase({ codec, seconds = 60, bitrate = 128_000 }) {
  const { path, samples } = rawAudio(seconds);
  const spec = CODECS[codec];
  const ours = await measureInProcess(() => encodeOurs(spec.codec, samples, bitrate));
  const out = join(WORK, `ffmpeg-audio.${codec}`);
  const theirs = runTimed('ffmpeg', ['-hide_banner', '-benchmark', '-y', '-f', 'f32le', '-ar', String(RATE), '-ac', '2', '-i', path, ...spec.args.slice(0, 2), '-b:a', String(bitrate), ...spec.args.slice(2), out]);
  return {
    name: `${codec} encode 48 kHz stereo (fps = seconds of audio per second)`,
    frames: seconds,
    ours: { fps: seconds / ours.wall, cpu: ours.cpu, peakRssMb: ours.peakRssMb, loop: [ours.loopP50, ours.loopP99, ours.loopMax], bytes: ours.value, psnr: NaN },
    ffmpeg: { fps: seconds / theirs.wall, cpu: theirs.cpu, peakRssMb: theirs.peakRssMb, bytes: NaN, psnr: NaN },
  };
}
