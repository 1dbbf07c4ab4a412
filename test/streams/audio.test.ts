// AudioEncoderStream and AudioDecoderStream: the same stream machinery over the audio codecs.
import t from 'tap';
import {
  AudioData,
  AudioDecoderStream,
  AudioEncoderStream,
  getLiveCounters,
  type AudioDecoderConfig,
  type AudioEncoderConfig,
  type AudioEncoderStreamOutput,
  type EncodedAudioChunk,
} from '../../src/index.js';
import { channelOf, deinterleave, snr, sweep } from '../audio/helpers.js';
import { checkNoLiveFramesAfterEach, eventually } from '../helpers/leaks.js';

checkNoLiveFramesAfterEach(t);

const RATE = 48000;
const CHANNELS = 2;
const PIECE = 960; // 20 ms

/** A 1 s stereo sweep as AudioData pieces of 20 ms, made as the stream asks for them. */
function sweepSource(seconds = 1): { readable: ReadableStream<AudioData>; samples: Float32Array } {
  const samples = sweep(RATE, CHANNELS, seconds);
  const frames = samples.length / CHANNELS;
  let offset = 0;
  const readable = new ReadableStream<AudioData>(
    {
      pull(controller) {
        if (offset >= frames) return controller.close();
        const n = Math.min(PIECE, frames - offset);
        controller.enqueue(
          new AudioData({
            format: 'f32',
            sampleRate: RATE,
            numberOfChannels: CHANNELS,
            numberOfFrames: n,
            timestamp: Math.round((offset * 1e6) / RATE),
            data: samples.subarray(offset * CHANNELS, (offset + n) * CHANNELS),
          }),
        );
        offset += n;
      },
    },
    { highWaterMark: 0 },
  );
  return { readable, samples };
}

/** Encoder outputs as decoder inputs, the decoderConfig in-band ahead of its chunk. */
function inBandConfig() {
  return new TransformStream<AudioEncoderStreamOutput, EncodedAudioChunk | { config: AudioDecoderConfig }>({
    transform({ chunk, metadata }, controller) {
      if (metadata.decoderConfig !== undefined) controller.enqueue({ config: metadata.decoderConfig as AudioDecoderConfig });
      controller.enqueue(chunk);
    },
  });
}

async function readAll<T>(readable: ReadableStream<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of readable) items.push(item);
  return items;
}

for (const [name, config, minSnr] of [
  ['PCM s16', { codec: 'pcm-s16', sampleRate: RATE, numberOfChannels: CHANNELS }, 80],
  ['Opus', { codec: 'opus', sampleRate: RATE, numberOfChannels: CHANNELS }, 15],
] as [string, AudioEncoderConfig, number][]) {
  t.test(`${name}: AudioEncoderStream -> AudioDecoderStream, every sample back in order`, async (t) => {
    const { readable, samples } = sweepSource();
    const decoded = await readAll(readable.pipeThrough(new AudioEncoderStream(config)).pipeThrough(inBandConfig()).pipeThrough(new AudioDecoderStream(null)));
    t.ok(decoded.length > 0);
    t.ok(
      decoded.every((d, i) => i === 0 || d.timestamp > decoded[i - 1]!.timestamp),
      'timestamps strictly increasing: output order preserved',
    );
    const total = decoded.reduce((n, d) => n + d.numberOfFrames, 0);
    t.ok(total >= samples.length / CHANNELS, `all ${samples.length / CHANNELS} frames come back (${total} with the codec's padding)`);
    const left = channelOf(decoded, 0);
    // Aligned from the first sample: the Opus encoder's OpusHead description makes the decoder
    // drop the pre-skip itself.
    const quality = snr(deinterleave(samples, CHANNELS, 0).subarray(0, 24000), left.subarray(0, 24000));
    t.ok(quality >= minSnr, `SNR ${quality.toFixed(1)} dB >= ${minSnr}`);
    for (const d of decoded) d.close();
  });
}

t.test('AudioEncoderStream takes ownership: every AudioData written is closed by the stream', async (t) => {
  const stream = new AudioEncoderStream({ codec: 'opus', sampleRate: RATE, numberOfChannels: CHANNELS });
  const writer = stream.writable.getWriter();
  const reading = readAll(stream.readable);
  const written: AudioData[] = [];
  const source = sweepSource(0.2).readable.getReader();
  for (;;) {
    const { done, value } = await source.read();
    if (done) break;
    written.push(value);
    await writer.write(value);
  }
  await writer.close();
  const outputs = await reading;
  t.ok(outputs.length >= 10);
  t.ok(
    written.every((d) => d.format === null),
    'closed by the stream once the encoder held its own reference',
  );
  t.ok(outputs.every(({ chunk }) => chunk.type === 'key'), 'audio chunks are all key chunks (so no requestKeyFrame() on audio)');
});

t.test('AudioDecoderStream: cancel with decoded audio waiting closes it; live mode drops the oldest', async (t) => {
  const encoded = await readAll(
    sweepSource(0.5).readable.pipeThrough(new AudioEncoderStream({ codec: 'pcm-s16', sampleRate: RATE, numberOfChannels: CHANNELS })).pipeThrough(inBandConfig()),
  );
  const decoder = new AudioDecoderStream(null);
  const writer = decoder.writable.getWriter();
  for (const input of encoded) void writer.write(input).catch(() => {});
  t.ok(await eventually(() => decoder.outputQueueSize >= 2), 'decoded audio waits for a reader');
  t.ok(getLiveCounters().audioData > 0);
  await decoder.readable.cancel('done');
  t.equal(getLiveCounters().audioData, 0, 'the stream closed the AudioData it held');
  await t.rejects(writer.closed);

  const live = new AudioDecoderStream(null, { live: { maxBufferedFrames: 2 } });
  const liveWriter = live.writable.getWriter();
  for (const input of encoded) await liveWriter.write(input);
  await liveWriter.close();
  const kept = await readAll(live.readable);
  t.equal(kept.length, 2, 'the newest two');
  t.equal(live.droppedFrames, encoded.length - 1 - 2, 'the rest dropped and counted');
  for (const d of kept) d.close();
});

t.test('AudioEncoderStream: configure() reconfigures in write order; abort closes what it holds', async (t) => {
  const stream = new AudioEncoderStream({ codec: 'pcm-s16', sampleRate: RATE, numberOfChannels: CHANNELS });
  const writer = stream.writable.getWriter();
  const reading = readAll(stream.readable);
  const source = sweepSource(0.1).readable.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await source.read();
    if (done) break;
    if (n++ === 3) stream.configure({ codec: 'pcm-f32', sampleRate: RATE, numberOfChannels: CHANNELS });
    await writer.write(value);
  }
  await writer.close();
  const outputs = await reading;
  // The chunk sizes say which configuration encoded each piece (960 stereo frames: 2 bytes per
  // sample in s16, 4 in f32). (Not metadata.decoderConfig: AudioEncoder takes the new config as
  // active at configure() time, so outputs still due for the old one can carry the new one.)
  t.same(
    outputs.map(({ chunk }) => chunk.byteLength),
    [3840, 3840, 3840, 7680, 7680],
    'the new configuration starts exactly at the first piece written after configure()',
  );
  t.throws(() => stream.configure({ codec: 'nope', sampleRate: RATE, numberOfChannels: CHANNELS }), undefined, 'after the end');

  const aborted = new AudioEncoderStream({ codec: 'opus', sampleRate: RATE, numberOfChannels: CHANNELS });
  const abortWriter = aborted.writable.getWriter();
  const src = sweepSource(0.2).readable.getReader();
  for (let i = 0; i < 6; i++) void abortWriter.write((await src.read()).value!).catch(() => {});
  await src.cancel();
  await abortWriter.abort('stop');
  t.equal(getLiveCounters().audioData, 0);
});
