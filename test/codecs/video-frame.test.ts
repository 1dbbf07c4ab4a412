// VideoFrame over native memory: every format round-trips byte-exactly, rects and layouts,
// conversion to RGB against a reference, clone/close accounting, transfer, and bad input.
import t from 'tap';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLiveCounters, VideoFrame, type VideoPixelFormat } from '../../src/index.js';
import { NATIVE_PIXEL_FORMATS, planeCount, sampleBytes, subsampling } from '../../src/codecs/pixel-format.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';

checkNoLiveFramesAfterEach(t);

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Tightly packed planes of a width x height frame, filled with a deterministic pattern. */
function packedPlanes(format: VideoPixelFormat, width: number, height: number, seed: number) {
  const planes: { offset: number; stride: number; rows: number }[] = [];
  let size = 0;
  for (let p = 0; p < planeCount(format); p++) {
    const s = subsampling(format, p);
    const stride = Math.ceil(width / s.x) * sampleBytes(format, p);
    const rows = Math.ceil(height / s.y);
    planes.push({ offset: size, stride, rows });
    size += stride * rows;
  }
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + seed * 7 + (i >> 5)) & 0xff;
  if (/P1[02]$/.test(format) || /AP1[02]$/.test(format)) {
    // High bit depth: little-endian samples within the format's range.
    const max = format.includes('12') ? 4095 : 1023;
    const view = new DataView(data.buffer);
    for (let i = 0; i + 1 < size; i += 2) view.setUint16(i, (i * 13 + seed) % (max + 1), true);
  }
  return { data, planes, size };
}

t.test('every native pixel format round-trips through the constructor and copyTo byte-exactly', async (t) => {
  for (const format of NATIVE_PIXEL_FORMATS) {
    for (const [w, h] of [
      [8, 4],
      [5, 3],
    ] as const) {
      const { data, size } = packedPlanes(format, w, h, w + h);
      const frame = new VideoFrame(data, { format, codedWidth: w, codedHeight: h, timestamp: 1 });
      t.equal(frame.format, format);
      t.equal(frame.allocationSize(), size, `${format} ${w}x${h} allocation size`);
      const out = new Uint8Array(size);
      const layout = await frame.copyTo(out);
      t.same(out, data, `${format} ${w}x${h} bytes`);
      t.equal(layout.length, planeCount(format));
      frame.close();
    }
  }
});

t.test('copyTo with a rect and a padded layout copies exactly the requested samples', async (t) => {
  const { data, planes } = packedPlanes('I420', 8, 8, 3);
  const frame = new VideoFrame(data, { format: 'I420', codedWidth: 8, codedHeight: 8, timestamp: 0 });
  const rect = { x: 2, y: 2, width: 4, height: 4 };
  const layout = [
    { offset: 0, stride: 6 },
    { offset: 24, stride: 3 },
    { offset: 30, stride: 4 },
  ];
  const size = frame.allocationSize({ rect, layout });
  t.equal(size, 38, 'allocation size covers the last plane');
  const out = new Uint8Array(size).fill(0xee);
  const result = await frame.copyTo(out, { rect, layout });
  t.same(result, layout, 'copyTo returns the layout it used');
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) t.equal(out[y * 6 + x], data[planes[0]!.offset + (y + 2) * 8 + x + 2]);
    t.equal(out[y * 6 + 4], 0xee, 'padding is left untouched');
  }
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 2; x++) {
      t.equal(out[24 + y * 3 + x], data[planes[1]!.offset + (y + 1) * 4 + x + 1]);
      t.equal(out[30 + y * 4 + x], data[planes[2]!.offset + (y + 1) * 4 + x + 1]);
    }
  }
  t.throws(() => frame.allocationSize({ rect: { x: 1, y: 0, width: 4, height: 4 } }), TypeError, 'odd x breaks 4:2:0 alignment');
  t.throws(() => frame.allocationSize({ rect: { x: 0, y: 0, width: 10, height: 4 } }), TypeError, 'rect outside the coded size');
  t.throws(() => frame.allocationSize({ layout: [{ offset: 0, stride: 2 }, { offset: 0, stride: 4 }, { offset: 0, stride: 4 }] }), TypeError, 'stride too small');
  t.throws(() => frame.allocationSize({ layout: [{ offset: 0, stride: 8 }] }), TypeError, 'wrong plane count');
  await t.rejects(frame.copyTo(new Uint8Array(10)), TypeError, 'destination too small');
  await t.rejects(frame.copyTo(new Uint8Array(1000), { format: 'I444' as never }), { name: 'NotSupportedError' });
  frame.close();
});

/** Reference YUV -> RGB (limited range), rounding to nearest. */
function referenceRgb(y: number, u: number, v: number, kr: number, kb: number): [number, number, number] {
  const kg = 1 - kr - kb;
  const yy = (y - 16) / 219;
  const pb = (u - 128) / 224;
  const pr = (v - 128) / 224;
  const r = yy + 2 * (1 - kr) * pr;
  const b = yy + 2 * (1 - kb) * pb;
  const g = (yy - kr * r - kb * b) / kg;
  const clamp = (x: number) => Math.min(255, Math.max(0, Math.round(x * 255)));
  return [clamp(r), clamp(g), clamp(b)];
}

for (const [name, matrix, kr, kb] of [
  ['BT.601', 'smpte170m', 0.299, 0.114],
  ['BT.709', 'bt709', 0.2126, 0.0722],
] as const) {
  t.test(`conversion to RGBA matches a reference ${name} conversion within 1 per channel`, async (t) => {
    const colors: [number, number, number][] = [
      [81, 90, 240],
      [145, 54, 34],
      [41, 240, 110],
      [128, 128, 128],
      [200, 100, 150],
      [16, 128, 128],
      [235, 128, 128],
    ];
    for (const [y, u, v] of colors) {
      const w = 16;
      const h = 8;
      const data = new Uint8Array(w * h * 1.5);
      data.fill(y, 0, w * h);
      data.fill(u, w * h, w * h * 1.25);
      data.fill(v, w * h * 1.25);
      const frame = new VideoFrame(data, {
        format: 'I420',
        codedWidth: w,
        codedHeight: h,
        timestamp: 0,
        colorSpace: { matrix, primaries: 'bt709', transfer: 'bt709', fullRange: false },
      });
      const out = new Uint8Array(frame.allocationSize({ format: 'RGBA' }));
      t.equal(out.length, w * h * 4);
      await frame.copyTo(out, { format: 'RGBA' });
      const [r, g, b] = referenceRgb(y, u, v, kr, kb);
      const px = (3 * w + 5) * 4;
      t.ok(Math.abs(out[px]! - r) <= 1 && Math.abs(out[px + 1]! - g) <= 1 && Math.abs(out[px + 2]! - b) <= 1,
        `YUV(${y},${u},${v}) -> RGB(${out[px]},${out[px + 1]},${out[px + 2]}) vs reference (${r},${g},${b})`);
      t.equal(out[px + 3], 255, 'opaque alpha');
      const bgra = new Uint8Array(w * h * 4);
      await frame.copyTo(bgra, { format: 'BGRA' });
      t.same([bgra[px + 2], bgra[px + 1], bgra[px]], [out[px], out[px + 1], out[px + 2]], 'BGRA is RGBA with R and B swapped');
      const p3 = new Uint8Array(w * h * 4);
      await frame.copyTo(p3, { format: 'RGBA', colorSpace: 'display-p3' });
      if (r !== g || g !== b) t.ok(p3[px] !== out[px] || p3[px + 2] !== out[px + 2], 'display-p3 re-expresses saturated colours');
      else t.ok(Math.abs(p3[px]! - out[px]!) <= 1, 'greys are the same in display-p3');
      frame.close();
    }
  });
}

t.test('clone shares memory, close releases it at once, closed frames answer as the spec says', async (t) => {
  const before = getLiveCounters();
  const frame = new VideoFrame(new Uint8Array(64 * 64 * 4), { format: 'RGBA', codedWidth: 64, codedHeight: 64, timestamp: 5, duration: 10 });
  const after = getLiveCounters();
  t.equal(after.videoFrames - before.videoFrames, 1);
  t.ok(after.videoFrameBytes - before.videoFrameBytes >= 64 * 64 * 4);
  const clone = frame.clone();
  t.equal(getLiveCounters().videoFrames - before.videoFrames, 2, 'a clone is a second handle');
  t.equal(clone.timestamp, 5);
  t.equal(clone.colorSpace.matrix, 'rgb', 'RGB frames default to sRGB');
  frame.close();
  t.equal(frame.format, null);
  t.equal(frame.codedWidth, 0);
  t.equal(frame.displayWidth, 0);
  t.equal(frame.visibleRect, null);
  t.equal(frame.codedRect, null);
  t.equal(frame.timestamp, 5, 'timestamp stays readable');
  t.throws(() => frame.clone(), { name: 'InvalidStateError' });
  t.throws(() => frame.allocationSize(), { name: 'InvalidStateError' });
  t.throws(() => frame.metadata(), { name: 'InvalidStateError' });
  await t.rejects(frame.copyTo(new Uint8Array(1)), { name: 'InvalidStateError' });
  t.throws(() => new VideoFrame(frame), { name: 'InvalidStateError' });
  t.equal(clone.codedWidth, 64, 'the clone is unaffected');
  frame.close();
  clone.close();
  t.equal(getLiveCounters().videoFrames, before.videoFrames);
  {
    using scoped = new VideoFrame(new Uint8Array(16), { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0 });
    t.equal(scoped.codedWidth, 2);
  }
  t.equal(getLiveCounters().videoFrames, before.videoFrames, '`using` closes the frame');
});

t.test('new VideoFrame(frame, init) overrides timing, crop and display size over the same memory', async (t) => {
  const { data } = packedPlanes('I420', 16, 16, 1);
  const frame = new VideoFrame(data, { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp: 100, duration: 40, displayWidth: 32, displayHeight: 16 });
  const cropped = new VideoFrame(frame, { timestamp: 200, visibleRect: { x: 4, y: 4, width: 8, height: 8 } });
  t.equal(cropped.timestamp, 200);
  t.equal(cropped.duration, 40, 'duration inherited');
  t.same(cropped.visibleRect?.toJSON().width, 8);
  t.equal(cropped.displayWidth, 16, 'display size scales with the source aspect (2:1)');
  t.equal(cropped.displayHeight, 8);
  const rotated = new VideoFrame(frame, { rotation: 90, flip: true });
  t.equal(rotated.rotation, 90);
  t.equal(rotated.flip, true);
  t.equal(rotated.displayWidth, 16, 'rotation swaps the display size');
  t.equal(rotated.displayHeight, 32);
  const out = new Uint8Array(cropped.allocationSize());
  await cropped.copyTo(out);
  t.equal(out[0], data[4 * 16 + 4], 'copyTo reads the cropped rect');
  const rgba = new VideoFrame(new Uint8Array(16), { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0 });
  const opaque = new VideoFrame(rgba, { alpha: 'discard' });
  t.equal(opaque.format, 'RGBX', 'alpha: discard gives the opaque equivalent');
  for (const f of [frame, cropped, rotated, rgba, opaque]) f.close();
});

t.test('transfer adopts the buffer without a copy and detaches it', async (t) => {
  const buffer = new ArrayBuffer(4 * 4 * 4);
  new Uint8Array(buffer).fill(77);
  const frame = new VideoFrame(new Uint8Array(buffer), { format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0, transfer: [buffer] });
  t.equal(buffer.byteLength, 0, 'the caller\'s buffer is detached');
  const out = new Uint8Array(64);
  await frame.copyTo(out);
  t.ok(out.every((b) => b === 77), 'the frame reads the transferred bytes');
  t.ok(getLiveCounters().videoFrameBytes >= 64, 'the adopted buffer is counted');
  frame.close();
  const dup = new ArrayBuffer(64);
  t.throws(() => new VideoFrame(new Uint8Array(dup), { format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0, transfer: [dup, dup] }), { name: 'DataCloneError' });
});

t.test('bad input gives TypeError with a message that says what to do', async (t) => {
  t.throws(() => new VideoFrame({} as never), /supported sources are a VideoFrame/);
  t.throws(() => new VideoFrame(new Uint8Array(6)), TypeError, 'buffer without init');
  t.throws(() => new VideoFrame(new Uint8Array(6), { format: 'I420', codedWidth: 0, codedHeight: 2, timestamp: 0 }), TypeError);
  t.throws(() => new VideoFrame(new Uint8Array(5), { format: 'I420', codedWidth: 2, codedHeight: 2, timestamp: 0 }), TypeError, 'too few bytes');
  t.throws(() => new VideoFrame(new Uint8Array(6), { format: 'XYZ' as never, codedWidth: 2, codedHeight: 2, timestamp: 0 }), TypeError);
  t.throws(() => new VideoFrame(new Uint8Array(6), { format: 'I420', codedWidth: 2, codedHeight: 2, timestamp: NaN }), TypeError);
  t.throws(() => new VideoFrame(new Uint8Array(24), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0, visibleRect: { x: 1, y: 0, width: 2, height: 2 } }), TypeError, 'misaligned rect');
  t.throws(() => new VideoFrame(new Uint8Array(24), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0, displayWidth: 4 }), TypeError, 'displayWidth alone');
  const detached = new ArrayBuffer(6);
  structuredClone(detached, { transfer: [detached] });
  t.throws(() => new VideoFrame(new Uint8Array(detached), { format: 'I420', codedWidth: 2, codedHeight: 2, timestamp: 0 }), TypeError, 'detached buffer');
});

t.test('property: random valid inits produce frames whose copyTo output equals the source planes', async (t) => {
  const formats = [...NATIVE_PIXEL_FORMATS];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...formats),
      fc.integer({ min: 1, max: 24 }),
      fc.integer({ min: 1, max: 24 }),
      fc.integer({ min: 0, max: 1000 }),
      async (format, w, h, seed) => {
        const { data, size } = packedPlanes(format, w, h, seed);
        const frame = new VideoFrame(data, { format, codedWidth: w, codedHeight: h, timestamp: seed });
        try {
          const out = new Uint8Array(frame.allocationSize());
          if (out.length !== size) return false;
          await frame.copyTo(out);
          return Buffer.compare(out, data) === 0;
        } finally {
          frame.close();
        }
      },
    ),
    { numRuns: 200 },
  );
  t.pass('held for 200 random inits');
});

t.test('frames left to the garbage collector are freed and warned about once', async (t) => {
  const script = `
    import { VideoFrame, getLiveCounters } from './dist/index.js';
    let warnings = 0;
    process.on('warning', (w) => { if (w.name === 'WebCodecsWarning') warnings++; });
    for (let i = 0; i < 2000; i++) new VideoFrame(new Uint8Array(64 * 64 * 4), { format: 'RGBA', codedWidth: 64, codedHeight: 64, timestamp: i });
    for (let i = 0; i < 20 && getLiveCounters().videoFrames > 0; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
    console.log(JSON.stringify({ live: getLiveCounters().videoFrames, warnings }));
  `;
  const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(result.status, 0, result.stderr);
  const { live, warnings } = JSON.parse(result.stdout.trim().split('\n').pop()!);
  t.equal(live, 0, 'every collected frame released its native memory');
  t.equal(warnings, 1, 'one warning per process, naming the fix');
});
