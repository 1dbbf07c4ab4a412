// H.264 through the spec classes: round trips in both bitstream formats, timestamps, key frames.
import t from 'tap';
import { VideoDecoder, VideoEncoder, EncodedVideoChunk, type VideoEncoderConfig } from '../../src/index.js';
import { decodeClip, encodeClip } from '../helpers/codecs.js';
import { checkNoLiveFramesAfterEach, eventually } from '../helpers/leaks.js';
import { reorderedH264 } from '../helpers/containers.js';
import { i420Pattern, makeI420Frame, pixelsOf, psnr } from '../helpers/media.js';

checkNoLiveFramesAfterEach(t);

const base: VideoEncoderConfig = { codec: 'avc1.42001f', width: 320, height: 240, bitrate: 1_000_000, framerate: 30 };

for (const format of ['avc', 'annexb'] as const) {
  t.test(`encode then decode round trip (${format}) keeps PSNR >= 35 dB and every timestamp`, async (t) => {
    const frames = 30;
    const clip = await encodeClip({ ...base, avc: { format } }, frames);
    t.equal(clip.chunks.length, frames, 'one chunk per frame');
    t.equal(clip.chunks[0]!.type, 'key', 'first chunk is a key chunk');
    t.ok(clip.metadata[0]!.decoderConfig, 'decoderConfig comes with the first output');
    const config = clip.decoderConfig;
    t.equal(config.codec, base.codec);
    t.equal(config.codedWidth, 320);
    t.equal(config.codedHeight, 240);
    if (format === 'avc') {
      t.ok(config.description instanceof ArrayBuffer, 'avc format describes the stream with an avcC record');
      t.equal(new Uint8Array(config.description as ArrayBuffer)[0], 1, 'avcC configurationVersion is 1');
      // length-prefixed: the first 4 bytes are a NAL size, not a start code
      const head = new Uint8Array(clip.chunks[0]!.byteLength);
      clip.chunks[0]!.copyTo(head);
      t.not(head[0] === 0 && head[1] === 0 && head[2] === 0 && head[3] === 1, true, 'no start code in avc chunks');
    } else {
      t.equal(config.description, undefined, 'annexb carries parameter sets in band');
      const head = new Uint8Array(clip.chunks[0]!.byteLength);
      clip.chunks[0]!.copyTo(head);
      t.same([...head.subarray(0, 4)], [0, 0, 0, 1], 'annexb chunks start with a start code');
    }
    for (const chunk of clip.chunks) t.equal(chunk.duration, 33333, 'chunk keeps the frame duration');
    const sortedTs = clip.chunks.map((c) => c.timestamp).sort((a, b) => a - b);
    t.same(sortedTs, Array.from({ length: frames }, (_, i) => i * 33333), 'chunk timestamps are the frame timestamps');

    const decoded = await decodeClip(config, clip.chunks);
    t.equal(decoded.length, frames, 'every frame decodes');
    for (let i = 0; i < decoded.length; i++) {
      const frame = decoded[i]!;
      t.equal(frame.timestamp, i * 33333, 'frames come out in presentation order with their chunk timestamp');
      t.equal(frame.duration, 33333, 'frames carry their chunk duration');
      t.equal(frame.format, 'I420');
      const quality = psnr(await pixelsOf(frame), i420Pattern(320, 240, i));
      t.ok(quality >= 35, `frame ${i} PSNR ${quality.toFixed(1)} dB >= 35`);
      frame.close();
    }
  });
}

t.test('B-frames: chunks in decode order decode to frames in presentation order, each with its own timestamp and duration', async (t) => {
  // Made by the ffmpeg CLI: our encoders emit presentation order (no B-frames), as browsers do.
  const clip = await reorderedH264(t, 24);
  const decodeOrder = clip.chunks.map((c) => c.timestamp);
  const sorted = [...decodeOrder].sort((a, b) => a - b);
  t.notSame(decodeOrder, sorted, 'the chunks come in decode order');
  const durations = new Map(clip.chunks.map((c) => [c.timestamp, c.duration]));
  const frames = await decodeClip(clip.decoderConfig, clip.chunks);
  t.same(frames.map((f) => f.timestamp), sorted, 'decoded frames are in presentation order');
  for (const f of frames) {
    t.equal(f.duration, durations.get(f.timestamp));
    f.close();
  }
});

t.test('quality mode emits one chunk per frame in presentation order, as browsers do', async (t) => {
  for (const codec of ['avc1.64001f', 'hvc1.1.6.L93.B0', 'vp09.00.30.08', 'av01.0.04M.08']) {
    const chunks: number[] = [];
    const encoder = new VideoEncoder({ output: (c) => chunks.push(c.timestamp), error: (e) => t.fail(String(e)) });
    encoder.configure({ codec, width: 320, height: 240, framerate: 30, latencyMode: 'quality' });
    const outputsAfter: number[] = [];
    for (let i = 0; i < 12; i++) {
      const frame = makeI420Frame(320, 240, i);
      encoder.encode(frame, { keyFrame: i === 0 });
      frame.close();
      // No lookahead: each frame's chunk comes without waiting for later frames.
      await eventually(() => chunks.length > i || encoder.state !== 'configured');
      outputsAfter.push(chunks.length);
    }
    await encoder.flush();
    encoder.close();
    t.same(outputsAfter, Array.from({ length: 12 }, (_, i) => i + 1), `${codec}: a chunk for each frame before the next is sent`);
    t.same(chunks, [...chunks].sort((a, b) => a - b), `${codec}: presentation order`);
  }
});

t.test('keyFrame: true forces a key chunk', async (t) => {
  const clip = await encodeClip({ ...base, latencyMode: 'realtime' }, 20, 7);
  const keys = clip.chunks.filter((c) => c.type === 'key').map((c) => c.timestamp / 33333);
  t.same(keys, [0, 7, 14], 'key chunks exactly where requested');
});

t.test('a decoder needs a key chunk after configure, flush and reset (DataError)', async (t) => {
  const clip = await encodeClip({ ...base, latencyMode: 'realtime' }, 3);
  const decoder = new VideoDecoder({ output: (f) => f.close(), error: () => t.fail('no error expected') });
  decoder.configure(clip.decoderConfig);
  t.throws(() => decoder.decode(clip.chunks[1]!), { name: 'DataError' }, 'delta first after configure');
  decoder.decode(clip.chunks[0]!);
  decoder.decode(clip.chunks[1]!);
  await decoder.flush();
  t.throws(() => decoder.decode(clip.chunks[2]!), { name: 'DataError' }, 'delta first after flush');
  decoder.decode(clip.chunks[0]!);
  decoder.reset();
  decoder.configure(clip.decoderConfig);
  t.throws(() => decoder.decode(clip.chunks[1]!), { name: 'DataError' }, 'delta first after reset');
  const fake = new EncodedVideoChunk({ type: 'key', timestamp: 0, data: (() => {
    const d = new Uint8Array(clip.chunks[1]!.byteLength);
    clip.chunks[1]!.copyTo(d);
    return d;
  })() });
  t.throws(() => decoder.decode(fake), { name: 'DataError' }, 'a delta frame labelled key is caught by inspecting the bitstream');
  decoder.close();
});

t.test('corrupt input gives an EncodingError through the error callback, on the main thread', async (t) => {
  const { isMainThread } = await import('node:worker_threads');
  const clip = await encodeClip({ ...base, avc: { format: 'annexb' }, latencyMode: 'realtime' }, 2);
  const errors: DOMException[] = [];
  let onMain = false;
  const decoder = new VideoDecoder({
    output: (f) => f.close(),
    error: (e) => {
      onMain = isMainThread;
      errors.push(e);
    },
  });
  decoder.configure({ codec: 'avc1.42001f' });
  const garbage = new Uint8Array(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
  garbage.set([0, 0, 0, 1, 0x65], 0); // an IDR slice NAL header followed by garbage, with no SPS/PPS
  decoder.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: garbage }));
  await decoder.flush().catch(() => {});
  t.equal(errors.length, 1, 'one error');
  t.equal(errors[0]!.name, 'EncodingError');
  t.ok(onMain, 'error callback runs on the main thread');
  t.equal(decoder.state, 'closed', 'an error closes the decoder');
  void clip;
});

t.test('isConfigSupported answers honestly and clones the config', async (t) => {
  const yes = await VideoEncoder.isConfigSupported({ ...base, unknownMember: 1 } as VideoEncoderConfig);
  t.equal(yes.supported, true);
  t.notOk('unknownMember' in yes.config, 'unrecognized members are dropped');
  t.equal(yes.config.codec, base.codec);
  t.equal((await VideoEncoder.isConfigSupported({ ...base, width: 321 })).supported, false, 'odd width for 4:2:0');
  t.equal((await VideoEncoder.isConfigSupported({ ...base, codec: 'avc1.42000a', width: 1920, height: 1080 })).supported, false, 'above the level');
  t.equal((await VideoEncoder.isConfigSupported({ ...base, codec: 'avc1.6e001f' })).supported, false, 'High 10 cannot be encoded from 8-bit');
  t.equal((await VideoEncoder.isConfigSupported({ ...base, codec: 'avc1' })).supported, false, 'ambiguous string');
  t.equal((await VideoEncoder.isConfigSupported({ ...base, codec: ' avc1.42001f' })).supported, false, 'surrounding spaces');
  t.equal((await VideoEncoder.isConfigSupported({ ...base, hardwareAcceleration: 'prefer-hardware' })).supported, false);
  await t.rejects(VideoEncoder.isConfigSupported({ ...base, width: 0 }), TypeError, 'invalid config rejects with TypeError');
  await t.rejects(VideoEncoder.isConfigSupported({ ...base, codec: '  ' }), TypeError);
  await t.rejects(VideoEncoder.isConfigSupported({ codec: 'avc1.42001f' } as VideoEncoderConfig), TypeError, 'missing width');
  const dec = await VideoDecoder.isConfigSupported({ codec: 'avc1.64001f', codedWidth: 640, codedHeight: 360 });
  t.equal(dec.supported, true);
  t.equal((await VideoDecoder.isConfigSupported({ codec: 'avc1.64001f', description: new Uint8Array([9, 9]) })).supported, false, 'bad avcC');
  await t.rejects(VideoDecoder.isConfigSupported({ codec: 'avc1.64001f', codedWidth: 640 }), TypeError, 'codedWidth without codedHeight');
});

t.test('configure with an unsupported config closes with NotSupportedError; an invalid one throws TypeError', async (t) => {
  const errors: DOMException[] = [];
  const encoder = new VideoEncoder({ output: () => t.fail('no output'), error: (e) => errors.push(e) });
  t.throws(() => encoder.configure({ ...base, height: 0 }), TypeError);
  t.equal(encoder.state, 'unconfigured', 'a TypeError leaves the state alone');
  encoder.configure({ ...base, codec: 'avc1.42000a', width: 1920, height: 1080 });
  t.equal(encoder.state, 'configured', 'configure() itself succeeds; support is checked in order');
  await eventually(() => errors.length > 0);
  t.equal(errors.length, 1);
  t.equal(errors[0]!.name, 'NotSupportedError');
  t.equal(encoder.state, 'closed');
  t.throws(() => encoder.configure(base), { name: 'InvalidStateError' }, 'closed is final');
});
