// A long stream in small pieces: chunk and AudioData timestamps stay exact, strictly increasing
// and gap-free for a minute of audio (no drift from per-piece rounding).
import t from 'tap';
import { AudioData, AudioEncoder, type AudioEncoderConfig, type EncodedAudioChunk } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { closeAll, decodeAudio } from './helpers.js';

checkNoLiveFramesAfterEach(t);

const SECONDS = 60;
const PIECE_US = 20000;
const START = 1_000_000;

async function encodeMinute(config: AudioEncoderConfig): Promise<{ chunks: EncodedAudioChunk[]; description?: ArrayBuffer }> {
  const chunks: EncodedAudioChunk[] = [];
  let description: ArrayBuffer | undefined;
  let error: unknown = null;
  const encoder = new AudioEncoder({
    output: (chunk, metadata) => {
      chunks.push(chunk);
      if (metadata?.decoderConfig !== undefined) description = metadata.decoderConfig.description;
    },
    error: (e) => {
      error = e;
    },
  });
  encoder.configure(config);
  const frames = (config.sampleRate * PIECE_US) / 1e6;
  const samples = new Int16Array(frames * config.numberOfChannels);
  for (let piece = 0; piece < (SECONDS * 1e6) / PIECE_US; piece++) {
    for (let i = 0; i < samples.length; i++) samples[i] = ((piece * 7919 + i * 31) % 2000) - 1000;
    const data = new AudioData({
      format: 's16',
      sampleRate: config.sampleRate,
      numberOfChannels: config.numberOfChannels,
      numberOfFrames: frames,
      timestamp: START + piece * PIECE_US,
      data: samples,
    });
    encoder.encode(data);
    data.close();
    // Keep the queue short, as a real producer waiting for 'dequeue' would.
    if (encoder.encodeQueueSize > 16) await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }));
  }
  await encoder.flush();
  encoder.close();
  if (error !== null) throw error;
  return { chunks, description };
}

for (const [codec, sampleRate] of [['pcm-s16', 48000], ['flac', 44100]] as const) {
  t.test(`${codec} at ${sampleRate} Hz: ${SECONDS} s in 20 ms AudioData keep exact, gap-free timestamps`, async (t) => {
    const config = { codec, sampleRate, numberOfChannels: 2 };
    const { chunks, description } = await encodeMinute(config);
    t.equal(chunks[0]!.timestamp, START, 'starts at the first input timestamp');
    let gaps = 0;
    let nonIncreasing = 0;
    for (let i = 1; i < chunks.length; i++) {
      if (chunks[i]!.timestamp !== chunks[i - 1]!.timestamp + chunks[i - 1]!.duration!) gaps++;
      if (chunks[i]!.timestamp <= chunks[i - 1]!.timestamp) nonIncreasing++;
    }
    t.equal(gaps, 0, 'no gap or overlap between chunks');
    t.equal(nonIncreasing, 0, 'strictly increasing');
    const last = chunks.at(-1)!;
    t.equal(last.timestamp + last.duration!, START + SECONDS * 1e6, `the last chunk ends exactly ${SECONDS} s later`);

    const decoded = await decodeAudio({ ...config, ...(description ? { description } : {}) }, chunks);
    t.equal(decoded.reduce((sum, d) => sum + d.numberOfFrames, 0), SECONDS * sampleRate, 'every frame decodes');
    t.equal(decoded[0]!.timestamp, START);
    let drift = 0;
    let frames = 0;
    for (const data of decoded) {
      // Sample-accurate: each AudioData starts at the stream start plus the frames before it.
      if (data.timestamp !== START + Math.round((frames * 1e6) / sampleRate)) drift++;
      frames += data.numberOfFrames;
    }
    t.equal(drift, 0, 'every decoded timestamp is the start plus the samples before it');
    closeAll(decoded);
  });
}
