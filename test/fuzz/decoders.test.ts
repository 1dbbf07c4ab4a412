// Fuzzing every available video and audio decoder through VideoDecoder/AudioDecoder with random, truncated, bit-flipped,
// spliced and reordered chunks (and mutated avcC descriptions), driven by fast-check from valid
// seed streams. A decoder may reject anything — DataError from decode(), EncodingError through the
// error callback — but a crash or a hang is a bug. The fuzzing runs in a child process, so a crash
// is reported with the case that caused it instead of killing tap.
//
// Seeds: H.264 (avc and annexb) and every audio codec AudioEncoder supports (Opus, AAC raw/ADTS,
// FLAC, MP3, Vorbis, PCM, u-law) are encoded by the child itself; test/fuzz/seeds/ holds
// 12-frame 64x48 clips made once with the ffmpeg CLI (commands in docs/reliability.md):
// vp8.ivf (libvpx), vp9.ivf (libvpx-vp9), av1.ivf (libaom-av1), hevc.h265 (libx265, Annex B).
//
// RELIABILITY_SCALE multiplies the cases per decoder (500 by default); RELIABILITY_SEED replays.
import t from 'tap';
import { join } from 'node:path';
import { DIST, root, runFuzzChild } from '../stress/child.js';

const SCALE = Math.max(0.1, Number(process.env.RELIABILITY_SCALE ?? '1') || 1);
const CASES = Math.max(5, Math.round(500 * SCALE));
const SEEDS = join(root, 'test', 'fuzz', 'seeds');

const childSource = `
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { AudioData, AudioDecoder, AudioEncoder, EncodedAudioChunk, EncodedVideoChunk, VideoDecoder, VideoEncoder, VideoFrame, getLiveCounters } from '${DIST}';

const SEEDS = ${JSON.stringify(SEEDS)};
const CASES = ${CASES};
const seed = process.env.RELIABILITY_SEED !== undefined ? Number(process.env.RELIABILITY_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
console.log('SEED ' + seed);

// --- seed streams --------------------------------------------------------------------------
function ivf(file) {
  const b = readFileSync(SEEDS + '/' + file);
  const frames = [];
  for (let o = b.readUInt16LE(6); o + 12 <= b.length; ) {
    const size = b.readUInt32LE(o);
    frames.push(new Uint8Array(b.subarray(o + 12, o + 12 + size)));
    o += 12 + size;
  }
  return frames;
}
function hevcAccessUnits(file) {
  const b = new Uint8Array(readFileSync(SEEDS + '/' + file));
  const starts = [];
  for (let i = 0; i + 3 < b.length; i++) if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) { starts.push(i + 3); i += 2; }
  const units = [];
  let current = [], sawVcl = false;
  starts.forEach((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : b.length;
    while (end > s && b[end - 1] === 0) end--;
    const type = (b[s] >> 1) & 0x3f;
    const vcl = type < 32;
    const firstSlice = vcl && (b[s + 2] & 0x80) !== 0;
    if (sawVcl && (firstSlice || type === 32 || type === 33 || type === 34 || type === 35 || type === 39)) { units.push(current); current = []; sawVcl = false; }
    current.push(new Uint8Array([0, 0, 0, 1]), b.subarray(s, end));
    if (vcl) sawVcl = true;
  });
  if (current.length) units.push(current);
  return units.map((parts) => { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; });
}
async function h264(format) {
  const chunks = []; let config;
  const encoder = new VideoEncoder({ output: (c, m) => { const d = new Uint8Array(c.byteLength); c.copyTo(d); chunks.push({ data: d, key: c.type === 'key' }); if (m?.decoderConfig) config = m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure({ codec: 'avc1.64001e', width: 64, height: 48, avc: { format }, latencyMode: 'quality' });
  for (let i = 0; i < 12; i++) {
    const f = new VideoFrame(new Uint8Array(64 * 48 * 3 / 2).map((_, k) => (k * 7 + i * 13) & 0xff), { format: 'I420', codedWidth: 64, codedHeight: 48, timestamp: i * 1000 });
    encoder.encode(f, { keyFrame: i % 6 === 0 }); f.close();
  }
  await encoder.flush(); encoder.close();
  if (config.description) config.description = new Uint8Array(config.description);
  return { name: 'h264-' + format, config, chunks };
}
const keyEvery6 = (frames) => frames.map((data, i) => ({ data, key: i % 6 === 0 }));
const vp8Key = (d) => (d[0] & 1) === 0;
const streams = [await h264('avc'), await h264('annexb')];
const candidates = [
  { name: 'hevc', config: { codec: 'hvc1.1.6.L93.B0' }, chunks: hevcAccessUnits('hevc.h265').map((data) => ({ data, key: [...data].some((_, i) => i > 2 && data[i - 3] === 0 && data[i - 2] === 0 && data[i - 1] === 1 && ((data[i] >> 1) & 0x3f) >= 16 && ((data[i] >> 1) & 0x3f) <= 21) })) },
  { name: 'vp8', config: { codec: 'vp8' }, chunks: ivf('vp8.ivf').map((data) => ({ data, key: vp8Key(data) })) },
  { name: 'vp9', config: { codec: 'vp09.00.10.08' }, chunks: keyEvery6(ivf('vp9.ivf')) },
  { name: 'av1', config: { codec: 'av01.0.04M.08' }, chunks: keyEvery6(ivf('av1.ivf')) },
];
for (const c of candidates) if ((await VideoDecoder.isConfigSupported(c.config)).supported) streams.push(c);
// Audio: 12 packets of each codec AudioEncoder can make, decoded with the config it announces.
async function audio(name, config) {
  const chunks = []; let decoderConfig = null;
  const encoder = new AudioEncoder({ output: (c, m) => { const d = new Uint8Array(c.byteLength); c.copyTo(d); chunks.push({ data: d, key: c.type === 'key' }); if (m?.decoderConfig) decoderConfig = m.decoderConfig; }, error: () => {} });
  encoder.configure(config);
  for (let i = 0; i < 12; i++) {
    const samples = new Float32Array(1152 * config.numberOfChannels).map((_, k) => Math.sin((k + i * 1152) / 9) * 0.4);
    const data = new AudioData({ format: 'f32', sampleRate: config.sampleRate, numberOfFrames: 1152, numberOfChannels: config.numberOfChannels, timestamp: i * 24000, data: samples });
    encoder.encode(data); data.close();
  }
  await encoder.flush().catch(() => {});
  if (encoder.state !== 'closed') encoder.close();
  if (decoderConfig === null || chunks.length === 0) return;
  const { encoderDelay, ...decode } = decoderConfig;
  if (decode.description) decode.description = new Uint8Array(decode.description);
  if ((await AudioDecoder.isConfigSupported(decode)).supported) streams.push({ name, audio: true, config: decode, chunks });
}
for (const [name, config] of [
  ['opus', { codec: 'opus', sampleRate: 48000, numberOfChannels: 2 }],
  ['opus-ogg', { codec: 'opus', sampleRate: 48000, numberOfChannels: 2, opus: { format: 'ogg' } }],
  ['aac', { codec: 'mp4a.40.2', sampleRate: 44100, numberOfChannels: 2 }],
  ['aac-adts', { codec: 'mp4a.40.2', sampleRate: 44100, numberOfChannels: 1, aac: { format: 'adts' } }],
  ['flac', { codec: 'flac', sampleRate: 44100, numberOfChannels: 2 }],
  ['mp3', { codec: 'mp3', sampleRate: 44100, numberOfChannels: 2 }],
  ['vorbis', { codec: 'vorbis', sampleRate: 44100, numberOfChannels: 2 }],
  ['pcm-s16', { codec: 'pcm-s16', sampleRate: 8000, numberOfChannels: 1 }],
  ['ulaw', { codec: 'ulaw', sampleRate: 8000, numberOfChannels: 1 }],
]) {
  if ((await AudioEncoder.isConfigSupported(config)).supported) await audio(name, config);
}
console.log('DECODERS ' + streams.map((s) => s.name + ':' + s.chunks.length).join(' '));

// --- mutations ---------------------------------------------------------------------------------
const mutation = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip'), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 16 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate'), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('overwrite'), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert'), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('random'), bytes: fc.uint8Array({ maxLength: 512 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice'), other: fc.nat(), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' }) },
);
function mutate(data, m, all) {
  const out = new Uint8Array(data);
  switch (m.kind) {
    case 'flip': for (const b of m.bits) if (out.length) out[(b >> 3) % out.length] ^= 1 << (b & 7); return out;
    case 'truncate': return out.subarray(0, Math.floor(out.length * m.at));
    case 'overwrite': if (out.length) out.set(m.bytes.subarray(0, Math.max(0, out.length - (m.at % out.length))), m.at % out.length); return out;
    case 'insert': { const at = out.length ? m.at % out.length : 0; const r = new Uint8Array(out.length + m.bytes.length); r.set(out.subarray(0, at)); r.set(m.bytes, at); r.set(out.subarray(at), at + m.bytes.length); return r; }
    case 'random': return m.bytes;
    case 'splice': { const o = all[m.other % all.length].data; const at = out.length ? m.at % out.length : 0; const r = new Uint8Array(at + o.length); r.set(out.subarray(0, at)); r.set(o, at); return r; }
    case 'empty': return new Uint8Array(0);
  }
}
const plan = (stream) => fc.record({
  // Which chunks to feed, in which order: mostly the stream in order, sometimes shuffled/repeated.
  order: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(fc.nat(stream.chunks.length - 1), { minLength: 1, maxLength: 16 }) }),
  mutations: fc.array(fc.record({ chunk: fc.nat(stream.chunks.length - 1), m: mutation }), { minLength: 1, maxLength: 4 }),
  keepFirst: fc.boolean(),
  describe: stream.config.description ? fc.option(mutation, { freq: 3 }) : fc.constant(null),
  timestamps: fc.constantFrom('normal', 'negative', 'huge', 'equal'),
  flushMidway: fc.boolean(),
});

// --- one case ------------------------------------------------------------------------------------
const outcomes = { cases: 0, frames: 0, encodingError: 0, notSupported: 0, dataError: 0, otherThrow: [] };
async function runCase(stream, p) {
  outcomes.cases++;
  let order = p.order ?? stream.chunks.map((_, i) => i);
  const chunks = order.map((i) => ({ ...stream.chunks[i], index: i }));
  for (const { chunk, m } of p.mutations) {
    if (p.keepFirst && chunk === 0) continue;
    for (const c of chunks) if (c.index === chunk) c.data = mutate(c.data, m, stream.chunks);
  }
  const config = { ...stream.config };
  if (p.describe !== null && config.description) config.description = mutate(config.description, p.describe, [{ data: config.description }]);
  let error = null;
  const Decoder = stream.audio ? AudioDecoder : VideoDecoder;
  const Chunk = stream.audio ? EncodedAudioChunk : EncodedVideoChunk;
  const decoder = new Decoder({ output: (f) => { outcomes.frames++; f.close(); }, error: (e) => { error = e; } });
  try { decoder.configure(config); } catch (e) { outcomes.otherThrow.push('configure ' + e.name); decoder.close(); return; }
  for (let i = 0; i < chunks.length && decoder.state === 'configured'; i++) {
    const ts = p.timestamps === 'negative' ? -i * 1000 : p.timestamps === 'huge' ? Number.MAX_SAFE_INTEGER - i : p.timestamps === 'equal' ? 0 : i * 1000;
    try {
      decoder.decode(new Chunk({ type: i === 0 || chunks[i].key ? 'key' : 'delta', timestamp: ts, data: chunks[i].data }));
    } catch (e) {
      if (e.name === 'DataError') { outcomes.dataError++; break; }   // spec: not a key chunk
      if (e.name !== 'InvalidStateError') outcomes.otherThrow.push('decode ' + e.name + ': ' + e.message);
    }
    if (p.flushMidway && i === (chunks.length >> 1)) await decoder.flush().catch(() => {});
  }
  if (decoder.state === 'configured') await decoder.flush().catch(() => {});
  if (error !== null) {
    if (error.name === 'EncodingError') outcomes.encodingError++;
    else if (error.name === 'NotSupportedError') outcomes.notSupported++;
    else outcomes.otherThrow.push('error callback ' + error.name + ': ' + error.message);
  }
  if (decoder.state !== 'closed') decoder.close();
}

for (const stream of streams) {
  await fc.assert(
    fc.asyncProperty(plan(stream), async (p) => {
      // Written before the case runs: if the process dies, the parent prints the last one.
      process.stdout.write('CASE ' + stream.name + ' ' + JSON.stringify(p, (k, v) => (v instanceof Uint8Array ? Array.from(v) : v)) + '\\n');
      await runCase(stream, p);
    }),
    { numRuns: CASES, seed, endOnFailure: true },
  );
}
for (let i = 0; i < 20000 && getLiveCounters().codecs !== 0; i++) await new Promise((r) => setTimeout(r, 1));
console.log('RESULT ' + JSON.stringify({ ...outcomes, decoders: streams.map((s) => s.name), live: getLiveCounters() }));
`;

t.test(`fuzzing every available video and audio decoder (${CASES} cases each) neither crashes nor hangs`, async (t) => {
  const r = (await runFuzzChild(t, childSource)) as { cases: number; frames: number; encodingError: number; notSupported: number; dataError: number; otherThrow: string[]; decoders: string[]; live: Record<string, number> } | null;
  if (r === null) return;
  t.comment(`decoders: ${r.decoders.join(', ')}; ${r.cases} cases: ${r.frames} frames decoded, ${r.encodingError} EncodingError, ${r.dataError} DataError, ${r.notSupported} NotSupportedError`);
  t.ok(r.decoders.includes('h264-avc') && r.decoders.includes('h264-annexb'), 'H.264 (avc and annexb) was fuzzed');
  t.same(r.otherThrow, [], 'only the spec errors: DataError from decode(), EncodingError/NotSupportedError via the error callback');
  t.equal(r.live.codecs, 0, 'every decoder thread ended');
  t.equal(r.live.videoFrames, 0, 'no frame alive');
  t.equal(r.live.audioData, 0, 'no AudioData alive');
  t.ok(r.frames > 0 && r.encodingError > 0, 'the cases reached the decoders: some decoded, some were rejected');
});
