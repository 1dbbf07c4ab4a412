// Spec details found by running conformance tests: the decoder's colorSpace override merges
// member by member, colour fields of a VP9 codec string stand in for what the bitstream leaves
// unspecified, pending dequeue events fire before a flush settles, and copyTo with an explicit
// RGBX/BGRX format writes opaque pixels, and damage the VP8/AV1 decoders let through is an error.
import t from 'tap';
import { AudioDecoder, EncodedVideoChunk, VideoDecoder, VideoFrame } from '../../src/index.js';
import { decodeClip, encodeClip } from '../helpers/codecs.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';

checkNoLiveFramesAfterEach(t);

t.test('VideoDecoderConfig.colorSpace overrides the members it sets; the others stay as detected', async (t) => {
  // The encoder writes BT.601 (smpte170m) into the H.264 VUI from the frames' colour space.
  const clip = await encodeClip({ codec: 'avc1.42001e', width: 64, height: 48, avc: { format: 'annexb' } }, 3);
  const base = { codec: clip.decoderConfig.codec, codedWidth: 64, codedHeight: 48 };

  const detected = await decodeClip(base, clip.chunks);
  const detectedSpace = detected[0]!.colorSpace.toJSON();
  for (const f of detected) f.close();

  const overridden = await decodeClip({ ...base, colorSpace: { primaries: 'bt2020', fullRange: true } }, clip.chunks);
  const space = overridden[0]!.colorSpace.toJSON();
  for (const f of overridden) f.close();
  t.equal(space.primaries, 'bt2020', 'the overridden member');
  t.equal(space.fullRange, true, 'the overridden range');
  t.equal(space.transfer, detectedSpace.transfer, 'transfer as detected');
  t.equal(space.matrix, detectedSpace.matrix, 'matrix as detected');

  const whole = { primaries: 'bt470bg', transfer: 'smpte170m', matrix: 'bt470bg', fullRange: false } as const;
  const replaced = await decodeClip({ ...base, colorSpace: whole }, clip.chunks);
  t.same(replaced[0]!.colorSpace.toJSON(), whole, 'a complete override replaces everything');
  for (const f of replaced) f.close();
});

t.test('VP9: colour fields of the codec string fill what the bitstream does not carry', async (t) => {
  // A VP9 bitstream carries the matrix and range only; the codec string names primaries/transfer.
  const clip = await encodeClip({ codec: 'vp09.00.10.08', width: 64, height: 48 }, 2);
  const frames = await decodeClip({ codec: 'vp09.00.10.08.01.09.16.09.00', codedWidth: 64, codedHeight: 48 }, clip.chunks);
  const space = frames[0]!.colorSpace.toJSON();
  for (const f of frames) f.close();
  t.equal(space.primaries, 'bt2020', 'primaries from the codec string');
  t.equal(space.transfer, 'pq', 'transfer from the codec string');

  const plain = await decodeClip({ codec: 'vp09.00.10.08', codedWidth: 64, codedHeight: 48 }, clip.chunks);
  t.not(plain[0]!.colorSpace.primaries, 'bt2020', 'without colour fields nothing is invented');
  for (const f of plain) f.close();
});

t.test('a pending dequeue event fires before the flush promise settles', async (t) => {
  // PCM decodes so fast that the flush completion can arrive in the same turn as the outputs.
  for (let round = 0; round < 20; round++) {
    const events: string[] = [];
    const decoder = new AudioDecoder({ output: (d) => d.close(), error: (e) => t.fail(String(e)) });
    decoder.ondequeue = () => events.push(`dequeue ${decoder.decodeQueueSize}`);
    decoder.configure({ codec: 'pcm-s16', sampleRate: 48000, numberOfChannels: 1 });
    for (let i = 0; i < 8; i++) {
      const { EncodedAudioChunk } = await import('../../src/index.js');
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: i * 1000, data: new Uint8Array(96) }));
    }
    await decoder.flush();
    events.push('flushed');
    decoder.close();
    t.equal(events.at(-2), 'dequeue 0', `round ${round}: ${events.join(', ')}`);
  }
});

t.test('copyTo with an explicit RGBX/BGRX format gives opaque pixels, also from an RGBX frame', async (t) => {
  const data = new Uint8Array(4 * 2 * 4).map((_, i) => (i % 4 === 3 ? 0 : 60 + i));
  const frame = new VideoFrame(data, { format: 'RGBX', codedWidth: 4, codedHeight: 2, timestamp: 0 });
  for (const format of ['RGBX', 'BGRX'] as const) {
    const out = new Uint8Array(32);
    await frame.copyTo(out, { format });
    t.ok(out.every((v, i) => i % 4 !== 3 || v === 255), `${format}: every padding byte is 255`);
  }
  const rgbx = new Uint8Array(32);
  await frame.copyTo(rgbx, { format: 'RGBX' });
  t.same(
    Array.from(rgbx).filter((_, i) => i % 4 !== 3),
    Array.from(data).filter((_, i) => i % 4 !== 3),
    'the colour bytes are unchanged',
  );
  const raw = new Uint8Array(32);
  await frame.copyTo(raw);
  t.same(raw, data, 'without a format, copyTo copies the bytes as they are');
  frame.close();
});

t.test('damage the VP8, AV1, H.264 and HEVC decoders let through is an EncodingError, not a garbage or lost frame', async (t) => {
  for (const [codec, format] of [
    ['vp8', undefined],
    ['av01.0.04M.08', undefined],
    ['avc1.42001e', 'annexb'],
    ['avc1.42001e', 'avc'],
    ['hvc1.1.6.L93.B0', 'annexb'],
    ['hvc1.1.6.L93.B0', 'hevc'],
  ] as const) {
    const formats = format === undefined ? {} : codec.startsWith('avc') ? { avc: { format: format as 'avc' | 'annexb' } } : { hevc: { format: format as 'hevc' | 'annexb' } };
    const clip = await encodeClip({ codec, width: 64, height: 48, latencyMode: 'realtime', ...formats }, 4);
    const data = new Uint8Array(clip.chunks[2]!.byteLength);
    clip.chunks[2]!.copyTo(data);
    for (let i = 0; i < data.length; i += 4) data[i] = 0xff; // as the web-platform-tests damage a chunk
    const damaged = new EncodedVideoChunk({ type: 'delta', timestamp: clip.chunks[2]!.timestamp, data });
    const errors: DOMException[] = [];
    const decoder = new VideoDecoder({ output: (f) => f.close(), error: (e) => errors.push(e) });
    decoder.configure(clip.decoderConfig);
    decoder.decode(clip.chunks[0]!);
    decoder.decode(clip.chunks[1]!);
    decoder.decode(damaged);
    await decoder.flush().catch(() => {});
    t.equal(errors[0]?.name, 'EncodingError', `${codec} ${format ?? ''}: ${errors[0]?.message}`);
    t.equal(decoder.state, 'closed', `${codec} ${format ?? ''}: the error closed the decoder`);
  }
  // A chunk must be a temporal unit with a frame: a lone temporal delimiter decodes to nothing.
  const clip = await encodeClip({ codec: 'av01.0.04M.08', width: 64, height: 48, latencyMode: 'realtime' }, 2);
  const errors: DOMException[] = [];
  const decoder = new VideoDecoder({ output: (f) => f.close(), error: (e) => errors.push(e) });
  decoder.configure(clip.decoderConfig);
  decoder.decode(clip.chunks[0]!);
  decoder.decode(new EncodedVideoChunk({ type: 'delta', timestamp: 33333, data: new Uint8Array([0x12, 0x00]) }));
  await decoder.flush().catch(() => {});
  t.match(errors[0]?.message, /holds no AV1 frame/, 'AV1 chunk without a frame');

  // An H.264 access unit holds a coded slice: parameter sets alone decode to nothing.
  const avc = await encodeClip({ codec: 'avc1.42001e', width: 64, height: 48, latencyMode: 'realtime', avc: { format: 'annexb' } }, 2);
  const first = new Uint8Array(avc.chunks[0]!.byteLength);
  avc.chunks[0]!.copyTo(first);
  const sps = first.subarray(0, first.findIndex((_, i) => i > 0 && first[i] === 0 && first[i + 1] === 0 && first[i + 2] === 0 && first[i + 3] === 1));
  const avcErrors: DOMException[] = [];
  const avcDecoder = new VideoDecoder({ output: (f) => f.close(), error: (e) => avcErrors.push(e) });
  avcDecoder.configure(avc.decoderConfig);
  avcDecoder.decode(avc.chunks[0]!);
  avcDecoder.decode(new EncodedVideoChunk({ type: 'delta', timestamp: 33333, data: sps }));
  await avcDecoder.flush().catch(() => {});
  t.match(avcErrors[0]?.message, /holds no H.264 picture/, 'H.264 chunk without a slice');
});
