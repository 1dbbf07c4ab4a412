// `webcodecs-streams demo`: no input needed. A synthetic test pattern and a 440 Hz tone, encoded
// to H.264 + AAC in an MP4 with the library's encoder streams and Muxer; prints where it went.
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AudioData, AudioEncoder, AudioEncoderStream, VideoEncoderStream, VideoFrame, type AudioEncoderConfig } from '../../index.js';
import { Muxer, type MuxerInput } from '../../containers/muxer.js';
import { muxerFormatForPath } from '../../containers/muxer-formats.js';
import type { MuxerTrackInit } from '../../containers/muxer-track.js';
import { stringOption, type ParsedArgs } from '../args.js';
import { videoEncoderConfig } from '../codec-support.js';
import { CliError, EXIT } from '../exit-codes.js';

export const DEMO_OPTIONS = { output: true, seconds: true } as const;

export const DEMO_HELP = `Usage: webcodecs-streams demo [--output FILE] [--seconds N]

Encodes a synthetic test pattern (320x180, 30 fps) and a 440 Hz tone (48 kHz stereo) to H.264 +
AAC and prints where the file went (default: <tmp>/webcodecs-streams-demo/demo.mp4).`;

const WIDTH = 320;
const HEIGHT = 180;
const FPS = 30;
const SAMPLE_RATE = 48000;
const CHANNELS = 2;
const AUDIO_FRAMES = 1024;

/** Frame `i` of the pattern: colour bars sliding left over a luma ramp. */
function patternFrame(i: number): VideoFrame {
  const data = new Uint8Array((WIDTH * HEIGHT * 3) / 2);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) data[y * WIDTH + x] = (((x + i * 4) >> 5) & 1 ? 200 : 60) + ((y * 40) / HEIGHT) | 0;
  }
  const chroma = (WIDTH / 2) * (HEIGHT / 2);
  data.fill(128 + ((i * 3) % 96) - 48, WIDTH * HEIGHT, WIDTH * HEIGHT + chroma);
  data.fill(128 - ((i * 2) % 96) + 48, WIDTH * HEIGHT + chroma);
  return new VideoFrame(data, { format: 'I420', codedWidth: WIDTH, codedHeight: HEIGHT, timestamp: Math.round((i * 1e6) / FPS), duration: Math.round(1e6 / FPS) });
}

function toneData(index: number): AudioData {
  const data = new Float32Array(AUDIO_FRAMES * CHANNELS);
  for (let c = 0; c < CHANNELS; c++) {
    for (let n = 0; n < AUDIO_FRAMES; n++) data[c * AUDIO_FRAMES + n] = 0.3 * Math.sin((2 * Math.PI * 440 * (index * AUDIO_FRAMES + n)) / SAMPLE_RATE);
  }
  return new AudioData({
    format: 'f32-planar',
    sampleRate: SAMPLE_RATE,
    numberOfFrames: AUDIO_FRAMES,
    numberOfChannels: CHANNELS,
    timestamp: Math.round((index * AUDIO_FRAMES * 1e6) / SAMPLE_RATE),
    data,
  });
}

function source<T>(count: number, make: (i: number) => T): ReadableStream<T> {
  let i = 0;
  return new ReadableStream<T>({ pull: (controller) => (i < count ? controller.enqueue(make(i++)) : controller.close()) }, { highWaterMark: 0 });
}

const tag = (track: number) =>
  new TransformStream<{ chunk: MuxerInput['chunk']; metadata?: MuxerInput['metadata'] }, MuxerInput>({
    transform: ({ chunk, metadata }, controller) => controller.enqueue({ track, chunk, metadata }),
  });

export async function demo(args: ParsedArgs): Promise<void> {
  const output = stringOption(args, 'output') ?? join(tmpdir(), 'webcodecs-streams-demo', 'demo.mp4');
  const seconds = Number(stringOption(args, 'seconds') ?? 3);
  if (!(seconds > 0)) throw new CliError(EXIT.usage, '--seconds must be a positive number');
  const format = muxerFormatForPath(output);
  if (format !== 'mp4' && format !== 'mov' && format !== 'mkv') throw new CliError(EXIT.usage, 'demo writes H.264 + AAC: give an .mp4, .mov or .mkv --output');
  mkdirSync(dirname(output), { recursive: true });

  const videoConfig = videoEncoderConfig('h264', WIDTH, HEIGHT, FPS, 500_000);
  const audioConfig: AudioEncoderConfig = { codec: 'mp4a.40.2', sampleRate: SAMPLE_RATE, numberOfChannels: CHANNELS, bitrate: 128_000 };
  const withAudio = (await AudioEncoder.isConfigSupported(audioConfig)).supported;
  const tracks: MuxerTrackInit[] = [{ kind: 'video', frameRate: FPS }, ...(withAudio ? [{ kind: 'audio' } as const] : [])];
  const muxer = new Muxer({ format, path: output, tracks });

  // Two producers into one writable: merge them by piping each through its own tagging stage.
  const writer = muxer.writable.getWriter();
  const into = () => new WritableStream<MuxerInput>({ write: (input) => writer.write(input) });
  const frames = Math.round(seconds * FPS);
  const pipes = [source(frames, patternFrame).pipeThrough(new VideoEncoderStream(videoConfig)).pipeThrough(tag(0)).pipeTo(into())];
  if (withAudio) {
    const blocks = Math.ceil((seconds * SAMPLE_RATE) / AUDIO_FRAMES);
    pipes.push(source(blocks, toneData).pipeThrough(new AudioEncoderStream(audioConfig)).pipeThrough(tag(1)).pipeTo(into()));
  }
  await Promise.all(pipes);
  await writer.close();
  const size = statSync(output).size;
  process.stdout.write(
    `wrote ${output} (${size} bytes): ${frames} frames of H.264 ${WIDTH}x${HEIGHT} at ${FPS} fps` +
      `${withAudio ? ` + a 440 Hz tone in AAC, ${SAMPLE_RATE} Hz stereo` : ' (no AAC encoder here: video only)'}\n` +
      `play it with: ffplay ${output}\n`,
  );
}
