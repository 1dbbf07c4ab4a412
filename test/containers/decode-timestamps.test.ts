// Decode timestamps derived from presentation timestamps in decode order (the muxer's B-frame
// handling): strictly increasing, never after their pts, and the sorted pts shifted by the delay.
import t, { type Test } from 'tap';
import { DecodeTimestamps, WINDOW } from '../../src/containers/decode-timestamps.js';

function run(pts: number[], minimumDelay = 0, duration: number | null = 10): { pts: number; dts: number }[] {
  const dts = new DecodeTimestamps<number>(minimumDelay);
  const out = pts.flatMap((p, i) => dts.push(i, p, duration));
  return [...out, ...dts.flush()].map(({ pts, dts }) => ({ pts, dts }));
}

function valid(t: Test, out: { pts: number; dts: number }[]): void {
  t.ok(out.every((p, i) => i === 0 || p.dts > out[i - 1]!.dts), 'dts strictly increases');
  t.ok(out.every((p) => p.dts <= p.pts), 'no dts after its pts');
}

t.test('I P B B: one frame of delay', async (t) => {
  const out = run([0, 30, 10, 20, 60, 40, 50]);
  t.same(out.map((p) => p.dts), [-10, 0, 10, 20, 30, 40, 50]);
  valid(t, out);
});

t.test('a B-pyramid (I P B b b): two frames of delay', async (t) => {
  const out = run([0, 40, 20, 10, 30, 80, 60, 50, 70]);
  t.same(out.map((p) => p.dts), [-20, -10, 0, 10, 20, 30, 40, 50, 60]);
  valid(t, out);
});

t.test('no reordering: dts equals pts', async (t) => {
  const out = run([0, 10, 20, 30]);
  t.same(out.map((p) => p.dts), [0, 10, 20, 30]);
});

t.test('the minimum delay covers B-frames that start after the window', async (t) => {
  const pts = Array.from({ length: WINDOW }, (_, i) => i * 10);
  // After the window: I P B B patterns.
  for (let base = WINDOW * 10; base < WINDOW * 10 + 120; base += 30) pts.push(base + 20, base, base + 10);
  t.throws(() => run(pts, 0), RangeError, 'without a minimum the late B-frames cannot be timed');
  valid(t, run(pts, 2));
});

t.test('packets are held only until the window fills', async (t) => {
  const dts = new DecodeTimestamps<number>();
  for (let i = 0; i < WINDOW - 1; i++) t.same(dts.push(i, i * 10, 10), [], `packet ${i} held`);
  t.equal(dts.push(WINDOW - 1, (WINDOW - 1) * 10, 10).length, WINDOW, 'the window is released at once');
  t.equal(dts.push(WINDOW, WINDOW * 10, 10).length, 1, 'then every packet passes straight through');
  t.same(dts.flush(), []);
});
