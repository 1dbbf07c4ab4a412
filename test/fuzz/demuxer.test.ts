// Fuzzing the demuxer with random, truncated, bit-flipped and spliced versions of small valid
// files in every container it reads (made with the ffmpeg CLI in test setup), from file paths and
// from ReadableStreams. Demuxer.open() may reject and reading may end with an error (a
// ContainerError), but a crash, a hang or another kind of exception is a bug. Runs in a child
// process so a crash is reported with the case that caused it instead of killing tap.
//
// RELIABILITY_SCALE multiplies the cases (300 by default); RELIABILITY_SEED replays a run.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, runFuzzChild } from '../stress/child.js';

const SCALE = Math.max(0.1, Number(process.env.RELIABILITY_SCALE ?? '1') || 1);
const CASES = Math.max(10, Math.round(300 * SCALE));

const dir = mkdtempSync(join(tmpdir(), 'webcodecs-fuzz-demux-'));
const video = ['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=15', '-t', '0.6'];
const audio = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '0.6'];
const SEEDS: [string, string[]][] = [
  ['a.mp4', [...video, ...audio, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac']],
  ['a.webm', [...video, ...audio, '-c:v', 'libvpx', '-c:a', 'libopus']],
  ['a.ts', [...video, ...audio, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac']],
  ['a.ogg', [...audio, '-c:a', 'libvorbis']],
  ['a.flac', [...audio]],
  ['a.mp3', [...audio]],
  ['a.aac', [...audio, '-c:a', 'aac']],
  ['a.ivf', [...video, '-c:v', 'libvpx']],
  ['a.h264', [...video, '-c:v', 'libx264', '-preset', 'ultrafast']],
];
for (const [name, args] of SEEDS) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, join(dir, name)]);
  if (r.status !== 0) throw new Error(`ffmpeg could not make the ${name} seed`);
}

const childSource = `
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { Demuxer, ContainerError, getLiveCounters } from '${DIST}';

const DIR = ${JSON.stringify(dir)};
const NAMES = ${JSON.stringify(SEEDS.map(([n]) => n))};
const seeds = NAMES.map((n) => new Uint8Array(readFileSync(DIR + '/' + n)));
const seed = process.env.RELIABILITY_SEED !== undefined ? Number(process.env.RELIABILITY_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
console.log('SEED ' + seed);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate'), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip'), flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 20 }) }),
  fc.record({ kind: fc.constant('splice'), from: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 4096 }), other: fc.nat() }),
  fc.record({ kind: fc.constant('garbage'), bytes: fc.uint8Array({ maxLength: 4096 }) }),
);

function mutate(base, m) {
  switch (m.kind) {
    case 'truncate': return base.slice(0, Math.floor(base.length * m.at));
    case 'flip': { const b = base.slice(); for (const [at, bit] of m.flips) { const i = Math.min(b.length - 1, Math.floor(b.length * at)); b[i] ^= 1 << bit; } return b; }
    case 'splice': { const other = seeds[m.other % seeds.length]; const at = Math.floor(base.length * m.from); const b = base.slice(); b.set(other.subarray(0, Math.min(m.length, b.length - at)), at); return b; }
    case 'garbage': return m.bytes;
  }
}

const outcomes = { opened: 0, chunks: 0, rejected: 0, readErrors: 0, other: [] };
let n = 0;
await fc.assert(
  fc.asyncProperty(fc.nat(), mutation, fc.boolean(), async (which, m, asStream) => {
    const data = mutate(seeds[which % seeds.length], m);
    console.log('CASE ' + n++ + ' ' + NAMES[which % seeds.length] + ' ' + m.kind + (asStream ? ' stream' : ' file'));
    let source;
    if (asStream) {
      source = new ReadableStream({ start(c) { for (let o = 0; o < data.length; o += 1000) c.enqueue(data.slice(o, o + 1000)); c.close(); } });
    } else {
      source = DIR + '/case.bin';
      writeFileSync(source, data);
    }
    let demuxer;
    try {
      demuxer = await Demuxer.open(source);
    } catch (error) {
      if (error instanceof ContainerError) outcomes.rejected++;
      else outcomes.other.push(String(error));
      return true;
    }
    outcomes.opened++;
    try {
      for await (const { chunk } of demuxer.readable) { outcomes.chunks++; void chunk; }
    } catch (error) {
      if (error instanceof ContainerError) outcomes.readErrors++;
      else outcomes.other.push(String(error));
    } finally {
      demuxer.close();
    }
    return true;
  }),
  { numRuns: ${CASES}, seed },
);
console.log('RESULT ' + JSON.stringify({ cases: n, ...outcomes, live: getLiveCounters() }));
`;

t.test('the demuxer survives random, truncated, bit-flipped and spliced files, from paths and streams', async (t) => {
  const r = (await runFuzzChild(t, childSource)) as { cases: number; opened: number; chunks: number; rejected: number; readErrors: number; other: string[] } | null;
  t.ok(r !== null, 'the child reported its results');
  if (r === null) return;
  t.comment(`${r.cases} cases: ${r.opened} opened (${r.chunks} chunks read, ${r.readErrors} read errors), ${r.rejected} rejected by open()`);
  t.equal(r.cases, CASES);
  t.same(r.other, [], 'every failure is a ContainerError');
});
