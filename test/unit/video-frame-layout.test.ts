import t from 'tap';
import fc from 'fast-check';
import {
  equivalentOpaqueFormat,
  hasAlpha,
  isRgbFormat,
  isVideoPixelFormat,
  NATIVE_PIXEL_FORMATS,
  planeCount,
  sampleBytes,
  subsampling,
  VIDEO_PIXEL_FORMATS,
  type VideoPixelFormat,
} from '../../src/codecs/pixel-format.js';
import {
  computeLayoutAndAllocationSize,
  parseCopyToOptions,
  parseRotation,
  parseVisibleRect,
  validateBufferInit,
  type PlaneLayout,
  type Rect,
  type RowCopy,
  type VideoFrameBufferInit,
  type VideoFrameCopyToOptions,
} from '../../src/codecs/video-frame-layout.js';

const rectOf = (width: number, height: number): Rect => ({ x: 0, y: 0, width, height });

/** A frame description as the VideoFrame class would pass it. */
function frameOf(format: VideoPixelFormat, codedWidth: number, codedHeight: number, visibleRect = rectOf(codedWidth, codedHeight)) {
  return { format, codedWidth, codedHeight, visibleRect };
}

/** Calls `fn` with a value of a type the public signature forbids, as JavaScript callers can. */
function loose<T>(value: unknown): T {
  return value as T;
}

t.test('pixel format table', async (t) => {
  t.equal(VIDEO_PIXEL_FORMATS.length, 23);
  t.ok(isVideoPixelFormat('I420'));
  t.notOk(isVideoPixelFormat('i420'));
  t.notOk(isVideoPixelFormat('toString'), 'prototype keys are not formats');
  t.notOk(isVideoPixelFormat(42));

  t.equal(planeCount('I420'), 3);
  t.equal(planeCount('I444AP12'), 4);
  t.equal(planeCount('NV12'), 2);
  t.equal(planeCount('BGRX'), 1);

  t.equal(sampleBytes('I420', 1), 1);
  t.equal(sampleBytes('I422P10', 0), 2);
  t.equal(sampleBytes('I420AP12', 3), 2);
  t.equal(sampleBytes('NV12', 1), 2, 'an interleaved UV sample is two bytes');
  t.equal(sampleBytes('RGBA', 0), 4);

  t.same(subsampling('I420', 0), { x: 1, y: 1 });
  t.same(subsampling('I420P12', 2), { x: 2, y: 2 });
  t.same(subsampling('I422A', 1), { x: 2, y: 1 });
  t.same(subsampling('I422A', 3), { x: 1, y: 1 }, 'alpha is at luma resolution');
  t.same(subsampling('I444', 2), { x: 1, y: 1 });
  t.same(subsampling('NV12', 1), { x: 2, y: 2 });
  t.throws(() => sampleBytes('I420', 3), RangeError);
  t.throws(() => subsampling('RGBA', 1), RangeError);

  t.same(
    VIDEO_PIXEL_FORMATS.filter(isRgbFormat),
    ['RGBA', 'RGBX', 'BGRA', 'BGRX'],
  );
  t.same(
    VIDEO_PIXEL_FORMATS.filter(hasAlpha),
    ['I420A', 'I420AP10', 'I420AP12', 'I422A', 'I422AP10', 'I422AP12', 'I444A', 'I444AP10', 'I444AP12', 'RGBA', 'BGRA'],
  );
  t.equal(equivalentOpaqueFormat('I420AP10'), 'I420P10');
  t.equal(equivalentOpaqueFormat('I444A'), 'I444');
  t.equal(equivalentOpaqueFormat('RGBA'), 'RGBX');
  t.equal(equivalentOpaqueFormat('BGRA'), 'BGRX');
  t.equal(equivalentOpaqueFormat('NV12'), 'NV12');

  t.equal(NATIVE_PIXEL_FORMATS.size, 22);
  t.notOk(NATIVE_PIXEL_FORMATS.has('I420AP12'));
  t.ok(NATIVE_PIXEL_FORMATS.has('I444AP12'));
});

// Default (tightly packed) layouts, worked out by hand from the spec's Pixel Format section:
// sub-sampled planes have ceil(width / factor) samples per row and ceil(height / factor) rows.
const DEFAULT_LAYOUTS: Record<string, Record<VideoPixelFormat, { strides: number[]; offsets: number[]; size: number }>> = {
  '4x2': {
    I420: { strides: [4, 2, 2], offsets: [0, 8, 10], size: 12 },
    I420P10: { strides: [8, 4, 4], offsets: [0, 16, 20], size: 24 },
    I420P12: { strides: [8, 4, 4], offsets: [0, 16, 20], size: 24 },
    I420A: { strides: [4, 2, 2, 4], offsets: [0, 8, 10, 12], size: 20 },
    I420AP10: { strides: [8, 4, 4, 8], offsets: [0, 16, 20, 24], size: 40 },
    I420AP12: { strides: [8, 4, 4, 8], offsets: [0, 16, 20, 24], size: 40 },
    I422: { strides: [4, 2, 2], offsets: [0, 8, 12], size: 16 },
    I422P10: { strides: [8, 4, 4], offsets: [0, 16, 24], size: 32 },
    I422P12: { strides: [8, 4, 4], offsets: [0, 16, 24], size: 32 },
    I422A: { strides: [4, 2, 2, 4], offsets: [0, 8, 12, 16], size: 24 },
    I422AP10: { strides: [8, 4, 4, 8], offsets: [0, 16, 24, 32], size: 48 },
    I422AP12: { strides: [8, 4, 4, 8], offsets: [0, 16, 24, 32], size: 48 },
    I444: { strides: [4, 4, 4], offsets: [0, 8, 16], size: 24 },
    I444P10: { strides: [8, 8, 8], offsets: [0, 16, 32], size: 48 },
    I444P12: { strides: [8, 8, 8], offsets: [0, 16, 32], size: 48 },
    I444A: { strides: [4, 4, 4, 4], offsets: [0, 8, 16, 24], size: 32 },
    I444AP10: { strides: [8, 8, 8, 8], offsets: [0, 16, 32, 48], size: 64 },
    I444AP12: { strides: [8, 8, 8, 8], offsets: [0, 16, 32, 48], size: 64 },
    NV12: { strides: [4, 4], offsets: [0, 8], size: 12 },
    RGBA: { strides: [16], offsets: [0], size: 32 },
    RGBX: { strides: [16], offsets: [0], size: 32 },
    BGRA: { strides: [16], offsets: [0], size: 32 },
    BGRX: { strides: [16], offsets: [0], size: 32 },
  },
  '3x3': {
    I420: { strides: [3, 2, 2], offsets: [0, 9, 13], size: 17 },
    I420P10: { strides: [6, 4, 4], offsets: [0, 18, 26], size: 34 },
    I420P12: { strides: [6, 4, 4], offsets: [0, 18, 26], size: 34 },
    I420A: { strides: [3, 2, 2, 3], offsets: [0, 9, 13, 17], size: 26 },
    I420AP10: { strides: [6, 4, 4, 6], offsets: [0, 18, 26, 34], size: 52 },
    I420AP12: { strides: [6, 4, 4, 6], offsets: [0, 18, 26, 34], size: 52 },
    I422: { strides: [3, 2, 2], offsets: [0, 9, 15], size: 21 },
    I422P10: { strides: [6, 4, 4], offsets: [0, 18, 30], size: 42 },
    I422P12: { strides: [6, 4, 4], offsets: [0, 18, 30], size: 42 },
    I422A: { strides: [3, 2, 2, 3], offsets: [0, 9, 15, 21], size: 30 },
    I422AP10: { strides: [6, 4, 4, 6], offsets: [0, 18, 30, 42], size: 60 },
    I422AP12: { strides: [6, 4, 4, 6], offsets: [0, 18, 30, 42], size: 60 },
    I444: { strides: [3, 3, 3], offsets: [0, 9, 18], size: 27 },
    I444P10: { strides: [6, 6, 6], offsets: [0, 18, 36], size: 54 },
    I444P12: { strides: [6, 6, 6], offsets: [0, 18, 36], size: 54 },
    I444A: { strides: [3, 3, 3, 3], offsets: [0, 9, 18, 27], size: 36 },
    I444AP10: { strides: [6, 6, 6, 6], offsets: [0, 18, 36, 54], size: 72 },
    I444AP12: { strides: [6, 6, 6, 6], offsets: [0, 18, 36, 54], size: 72 },
    NV12: { strides: [3, 4], offsets: [0, 9], size: 17 },
    RGBA: { strides: [12], offsets: [0], size: 36 },
    RGBX: { strides: [12], offsets: [0], size: 36 },
    BGRA: { strides: [12], offsets: [0], size: 36 },
    BGRX: { strides: [12], offsets: [0], size: 36 },
  },
};

t.test('default layout and allocationSize of every format, even and odd sizes', async (t) => {
  for (const [size, table] of Object.entries(DEFAULT_LAYOUTS)) {
    const [width, height] = size.split('x').map(Number) as [number, number];
    for (const format of VIDEO_PIXEL_FORMATS) {
      const expected = table[format];
      const { allocationSize, layout } = computeLayoutAndAllocationSize(rectOf(width, height), format);
      t.equal(allocationSize, expected.size, `${format} ${size} allocationSize`);
      t.same(layout.map((p) => p.destinationStride), expected.strides, `${format} ${size} strides`);
      t.same(layout.map((p) => p.destinationOffset), expected.offsets, `${format} ${size} offsets`);
      t.same(layout.map((p) => p.sourceWidthBytes), expected.strides, `${format} ${size} row bytes`);

      // The same numbers through the public entry points.
      t.equal(parseCopyToOptions(frameOf(format, width, height)).allocationSize, expected.size);
      const init = { format, codedWidth: width, codedHeight: height, timestamp: 0 };
      t.same(
        validateBufferInit(init, expected.size).planes,
        expected.offsets.map((offset, i) => ({ offset, stride: expected.strides[i] })),
      );
      t.throws(() => validateBufferInit(init, expected.size - 1), TypeError, `${format} ${size} one byte short`);
    }
  }
});

t.test('I420 3x3: Y 9 bytes, U and V 2x2 each, 17 in all', async (t) => {
  const { allocationSize, layout } = computeLayoutAndAllocationSize(rectOf(3, 3), 'I420');
  t.equal(allocationSize, 17);
  t.same(layout, [
    { destinationOffset: 0, destinationStride: 3, sourceTop: 0, sourceHeight: 3, sourceLeftBytes: 0, sourceWidthBytes: 3 },
    { destinationOffset: 9, destinationStride: 2, sourceTop: 0, sourceHeight: 2, sourceLeftBytes: 0, sourceWidthBytes: 2 },
    { destinationOffset: 13, destinationStride: 2, sourceTop: 0, sourceHeight: 2, sourceLeftBytes: 0, sourceWidthBytes: 2 },
  ]);
});

t.test('parseVisibleRect', async (t) => {
  const coded = rectOf(8, 6);
  t.same(parseVisibleRect(coded, undefined, 8, 6, 'I420'), coded, 'no override: the default rect');
  t.same(parseVisibleRect(coded, { x: 2, y: 4, width: 5, height: 1 }, 8, 6, 'I420'), { x: 2, y: 4, width: 5, height: 1 }, 'odd sizes are fine');
  t.same(parseVisibleRect(coded, { x: 2.9, y: 0.5, width: 3.99, height: 2.2 }, 8, 6, 'I420'), { x: 2, y: 0, width: 3, height: 2 }, 'values are truncated');
  t.same(parseVisibleRect(coded, { width: 8, height: 6 }, 8, 6, 'I420'), coded, 'x and y default to 0');

  const bad: Array<[string, unknown, RegExp]> = [
    ['negative x', { x: -2, y: 0, width: 2, height: 2 }, /visibleRect\.x must be a finite, non-negative/],
    ['negative width', { x: 0, y: 0, width: -2, height: 2 }, /visibleRect\.width must be a finite, non-negative/],
    ['NaN y', { x: 0, y: NaN, width: 2, height: 2 }, /visibleRect\.y must be a finite/],
    ['infinite height', { x: 0, y: 0, width: 2, height: Infinity }, /visibleRect\.height must be a finite/],
    ['zero width', { x: 0, y: 0, width: 0, height: 2 }, /must not be empty/],
    ['missing height', { x: 0, y: 0, width: 2 }, /must not be empty/],
    ['width truncating to zero', { x: 0, y: 0, width: 0.5, height: 2 }, /must not be empty/],
    ['past the coded width', { x: 4, y: 0, width: 6, height: 2 }, /x \+ width = 10 > codedWidth 8/],
    ['past the coded height', { x: 0, y: 2, width: 2, height: 6 }, /y \+ height = 8 > codedHeight 6/],
    ['odd x for 4:2:0', { x: 1, y: 0, width: 2, height: 2 }, /visibleRect\.x \(1\) must be a multiple of 2 for I420/],
    ['odd y for 4:2:0', { x: 0, y: 3, width: 2, height: 2 }, /visibleRect\.y \(3\) must be a multiple of 2 for I420/],
    ['BigInt member', { x: 0n, y: 0, width: 2, height: 2 }, /BigInt/],
    ['not a dictionary', 7, /must be an object/],
  ];
  for (const [what, rect, message] of bad) {
    t.throws(() => parseVisibleRect(coded, loose(rect), 8, 6, 'I420'), { name: 'TypeError', message }, what);
  }

  t.same(parseVisibleRect(coded, { x: 0, y: 3, width: 2, height: 2 }, 8, 6, 'I422'), { x: 0, y: 3, width: 2, height: 2 }, '4:2:2 is not sub-sampled vertically');
  t.throws(() => parseVisibleRect(coded, { x: 3, y: 0, width: 2, height: 2 }, 8, 6, 'I422A'), /multiple of 2 for I422A/);
  t.throws(() => parseVisibleRect(coded, { x: 0, y: 1, width: 2, height: 2 }, 8, 6, 'NV12'), /y \(1\) must be a multiple of 2 for NV12/);
  t.same(parseVisibleRect(coded, { x: 3, y: 1, width: 3, height: 3 }, 8, 6, 'I444P12'), { x: 3, y: 1, width: 3, height: 3 });
  t.same(parseVisibleRect(coded, { x: 7, y: 5, width: 1, height: 1 }, 8, 6, 'BGRX'), { x: 7, y: 5, width: 1, height: 1 });

  t.throws(
    () => parseVisibleRect({ x: 1, y: 0, width: 2, height: 2 }, undefined, 8, 6, 'I420', 'rect'),
    /the default rect \(x 1, y 0, 2x2\) has x 1, which must be a multiple of 2 .*; pass a rect whose x is a multiple of 2/,
    'a misaligned default rect is rejected too, and the message says it was the default',
  );
});

t.test('computeLayoutAndAllocationSize with explicit layouts', async (t) => {
  const rect = rectOf(4, 2);
  const padded = computeLayoutAndAllocationSize(rect, 'I420', [
    { offset: 0, stride: 8 },
    { offset: 16, stride: 4 },
    { offset: 20, stride: 4 },
  ]);
  t.equal(padded.allocationSize, 24);
  t.same(padded.layout.map((p) => [p.destinationOffset, p.destinationStride]), [[0, 8], [16, 4], [20, 4]]);

  const reordered = computeLayoutAndAllocationSize(rect, 'I420', [
    { offset: 100, stride: 4 },
    { offset: 50, stride: 2 },
    { offset: 0, stride: 2 },
  ]);
  t.equal(reordered.allocationSize, 108, 'the maximum plane end, whatever the order');

  t.same(
    computeLayoutAndAllocationSize(rect, 'I420', [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }]),
    computeLayoutAndAllocationSize(rect, 'I420'),
    'an explicit tight layout equals the default',
  );

  const badLayouts: Array<[string, PlaneLayout[], RegExp]> = [
    ['too few planes', [{ offset: 0, stride: 4 }], /layout has 1 plane\(s\) but I420 has 3/],
    ['too many planes', [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }, { offset: 12, stride: 2 }], /but I420 has 3/],
    ['Y stride too small', [{ offset: 0, stride: 3 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }], /layout\[0\]\.stride \(3\) is shorter than one 4-byte row/],
    ['V stride too small', [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 10, stride: 1 }], /layout\[2\]\.stride \(1\)/],
    ['U overlaps Y', [{ offset: 0, stride: 4 }, { offset: 7, stride: 2 }, { offset: 10, stride: 2 }], /planes 0 \(bytes 0\.\.8\) and 1 \(bytes 7\.\.9\) overlap/],
    ['V inside Y', [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 2, stride: 2 }], /planes 0 .* and 2 .* overlap/],
    ['same offset', [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 8, stride: 2 }], /planes 1 .* and 2 .* overlap/],
    ['plane past 4 GiB', [{ offset: 0, stride: 4 }, { offset: 0xffffffff - 1, stride: 2 }, { offset: 10, stride: 2 }], /beyond the 4 GiB/],
  ];
  for (const [what, layout, message] of badLayouts) {
    t.throws(() => computeLayoutAndAllocationSize(rect, 'I420', layout), { name: 'TypeError', message }, what);
  }
  t.throws(
    () => computeLayoutAndAllocationSize(rectOf(0x10000, 0x10000), 'RGBA'),
    /beyond the 4 GiB/,
    'a huge default layout cannot be described by unsigned long offsets',
  );
});

/** Runs row copies the way the native addon does, over planes stored as (bytes, stride). */
function runRowCopies(planes: Array<{ bytes: Uint8Array; stride: number }>, copies: RowCopy[], size: number): Uint8Array {
  const dest = new Uint8Array(size);
  for (const c of copies) {
    const { bytes, stride } = planes[c.plane]!;
    for (let row = 0; row < c.rows; row++) {
      const src = (c.srcY + row) * stride + c.srcX;
      dest.set(bytes.subarray(src, src + c.rowBytes), c.dstOffset + row * c.dstStride);
    }
  }
  return dest;
}

/** An I420 frame whose every byte names its plane and position: plane * 100 + row * 10 + column. */
function labelledI420(width: number, height: number): Array<{ bytes: Uint8Array; stride: number }> {
  return [0, 1, 2].map((plane) => {
    const w = plane === 0 ? width : Math.ceil(width / 2);
    const h = plane === 0 ? height : Math.ceil(height / 2);
    const bytes = new Uint8Array(w * h);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) bytes[r * w + c] = plane * 100 + r * 10 + c;
    return { bytes, stride: w };
  });
}

t.test('parseCopyToOptions: row copies for a cropped rect', async (t) => {
  const frame = frameOf('I420', 8, 6);
  const parsed = parseCopyToOptions(frame, { rect: { x: 2, y: 2, width: 4, height: 3 } });
  t.same(parsed.rect, { x: 2, y: 2, width: 4, height: 3 });
  t.equal(parsed.format, 'I420');
  t.equal(parsed.colorSpace, null);
  t.equal(parsed.allocationSize, 12 + 4 + 4);
  t.same(parsed.rowCopies, [
    { plane: 0, srcX: 2, srcY: 2, rowBytes: 4, rows: 3, dstOffset: 0, dstStride: 4 },
    { plane: 1, srcX: 1, srcY: 1, rowBytes: 2, rows: 2, dstOffset: 12, dstStride: 2 },
    { plane: 2, srcX: 1, srcY: 1, rowBytes: 2, rows: 2, dstOffset: 16, dstStride: 2 },
  ]);
  t.same(
    [...runRowCopies(labelledI420(8, 6), parsed.rowCopies, parsed.allocationSize)],
    [22, 23, 24, 25, 32, 33, 34, 35, 42, 43, 44, 45, 111, 112, 121, 122, 211, 212, 221, 222],
    'the copied bytes are the rect, plane by plane',
  );

  const wide = parseCopyToOptions(frameOf('I420P10', 8, 6), { rect: { x: 2, y: 2, width: 4, height: 2 } });
  t.same(
    wide.rowCopies.map((c) => [c.srcX, c.rowBytes]),
    [[4, 8], [2, 4], [2, 4]],
    'srcX and rowBytes are bytes, two per 10-bit sample',
  );

  const nv12 = parseCopyToOptions(frameOf('NV12', 8, 6), { rect: { x: 4, y: 2, width: 4, height: 4 } });
  t.same(nv12.rowCopies[1], { plane: 1, srcX: 4, srcY: 1, rowBytes: 4, rows: 2, dstOffset: 16, dstStride: 4 });

  const padded = parseCopyToOptions(frame, {
    rect: { x: 2, y: 2, width: 4, height: 3 },
    layout: [{ offset: 40, stride: 6 }, { offset: 0, stride: 3 }, { offset: 20, stride: 5 }],
  });
  t.equal(padded.allocationSize, 40 + 6 * 3);
  t.same(padded.rowCopies.map((c) => [c.dstOffset, c.dstStride]), [[40, 6], [0, 3], [20, 5]]);
  const dest = runRowCopies(labelledI420(8, 6), padded.rowCopies, padded.allocationSize);
  t.same([...dest.subarray(40, 44)], [22, 23, 24, 25]);
  t.same([...dest.subarray(46, 50)], [32, 33, 34, 35]);
  t.same([...dest.subarray(3, 5)], [121, 122]);
  t.same([...dest.subarray(25, 27)], [221, 222]);

  const visible = parseCopyToOptions(frameOf('I420', 8, 6, { x: 2, y: 2, width: 5, height: 3 }));
  t.same(visible.rect, { x: 2, y: 2, width: 5, height: 3 }, 'the default rect is the visible rect');
  t.same(visible.rowCopies.map((c) => [c.rowBytes, c.rows]), [[5, 3], [3, 2], [3, 2]], 'odd sizes round chroma up');
  t.same(
    [...runRowCopies(labelledI420(8, 6), parseCopyToOptions(frameOf('I420', 3, 3)).rowCopies, 17)],
    [0, 1, 2, 10, 11, 12, 20, 21, 22, 100, 101, 110, 111, 200, 201, 210, 211],
    'a 3x3 frame copies whole 2x2 chroma planes',
  );

  t.throws(() => parseCopyToOptions(frame, { rect: { x: 1, y: 0, width: 2, height: 2 } }), /rect\.x \(1\) must be a multiple of 2/);
  t.throws(
    () => parseCopyToOptions(frameOf('I420', 8, 6, { x: 1, y: 1, width: 4, height: 4 })),
    /default rect/,
    'a misaligned visible rect needs an explicit rect',
  );
});

t.test('parseCopyToOptions: format and colorSpace', async (t) => {
  const frame = frameOf('I420', 8, 6);
  const rgba = parseCopyToOptions(frame, { format: 'RGBA' });
  t.equal(rgba.format, 'RGBA');
  t.equal(rgba.colorSpace, 'srgb', 'srgb by default');
  t.equal(rgba.allocationSize, 8 * 6 * 4);
  t.same(rgba.layout.map((p) => [p.destinationOffset, p.destinationStride]), [[0, 32]]);
  t.same(rgba.rowCopies, [], 'a conversion is not a row copy');

  const p3 = parseCopyToOptions(frame, { format: 'BGRX', colorSpace: 'display-p3', rect: { x: 2, y: 2, width: 3, height: 3 }, layout: [{ offset: 8, stride: 16 }] });
  t.equal(p3.colorSpace, 'display-p3');
  t.same(p3.rect, { x: 2, y: 2, width: 3, height: 3 }, 'the rect stays in the source frame\'s coordinates');
  t.equal(p3.allocationSize, 8 + 16 * 3);

  t.equal(parseCopyToOptions(frame, { colorSpace: 'display-p3' }).colorSpace, null, 'colorSpace is ignored without a format');
  const same = parseCopyToOptions(frameOf('RGBA', 2, 2), { format: 'RGBA', colorSpace: 'display-p3' });
  t.equal(same.colorSpace, 'display-p3', 'an explicit format always reports its target colour space');
  t.same(same.rowCopies, [], 'the same format is converted too (spec copyTo: "Convert to RGB frame"), into display-p3 here');
  const plain = parseCopyToOptions(frameOf('RGBA', 2, 2), {});
  t.same(plain.rowCopies, [{ plane: 0, srcX: 0, srcY: 0, rowBytes: 8, rows: 2, dstOffset: 0, dstStride: 8 }], 'without a format it is a plain copy');

  t.throws(() => parseCopyToOptions(frame, { format: 'I444' }), { name: 'NotSupportedError', message: /can convert only to RGBA, RGBX, BGRA or BGRX/ });
  t.ok(
    (() => {
      try {
        parseCopyToOptions(frame, { format: 'NV12' });
      } catch (e) {
        return e instanceof DOMException;
      }
      return false;
    })(),
    'NotSupportedError is a DOMException',
  );
  t.throws(() => parseCopyToOptions(frame, { format: 'I420' }), { name: 'NotSupportedError' }, 'even the frame\'s own format');
  t.throws(() => parseCopyToOptions(frame, loose<VideoFrameCopyToOptions>({ format: 'YUY2' })), { name: 'TypeError', message: /VideoPixelFormat/ });
  t.throws(() => parseCopyToOptions(frame, loose<VideoFrameCopyToOptions>({ format: 'RGBA', colorSpace: 'rec2020' })), { name: 'TypeError', message: /'srgb' or 'display-p3'/ });
  t.throws(
    () => parseCopyToOptions(frame, { format: 'RGBA', rect: { x: 1, y: 0, width: 2, height: 2 } }),
    /multiple of 2 for I420/,
    'the rect must still be aligned for the source format',
  );
  t.throws(() => parseCopyToOptions(frame, { format: 'RGBA', layout: [{ offset: 0, stride: 31 }] }), /shorter than one 32-byte row/);
});

t.test('parseCopyToOptions: WebIDL conversion of options', async (t) => {
  const frame = frameOf('I420', 4, 2);
  const layout = (planes: unknown) => parseCopyToOptions(frame, loose<VideoFrameCopyToOptions>({ layout: planes }));
  t.same(
    layout([{ offset: 0.9, stride: 4.5 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }]).layout.map((p) => [p.destinationOffset, p.destinationStride]),
    [[0, 4], [8, 2], [10, 2]],
    '[EnforceRange] truncates',
  );
  t.throws(() => layout([{ offset: -1, stride: 4 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }]), { name: 'TypeError', message: /layout\[0\]\.offset is out of range/ });
  t.throws(() => layout([{ offset: 0, stride: 2 ** 32 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }]), /layout\[0\]\.stride is out of range/);
  t.throws(() => layout([{ offset: 0, stride: NaN }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }]), /layout\[0\]\.stride must be a finite number/);
  t.throws(() => layout([{ offset: 0 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }]), /layout\[0\]\.stride is required/);
  t.throws(() => layout('abc'), /layout must be a sequence/);
  t.same(
    layout(new Set([{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }])).allocationSize,
    12,
    'any iterable is a sequence',
  );
  t.throws(() => parseCopyToOptions(frame, loose(3)), /must be an object/);
  t.equal(parseCopyToOptions(frame, loose(null)).allocationSize, 12, 'null options are the empty dictionary');
});

t.test('parseRotation', async (t) => {
  const cases: Array<[number, number]> = [
    [0, 0], [90, 90], [180, 180], [270, 270], [360, 0], [450, 90], [-90, 270], [-360, 0],
    [44, 0], [45, 90], [46, 90], [135, 180], [-45, 0], [-46, 270], [-0, 0], [719, 0],
  ];
  for (const [input, output] of cases) t.equal(Object.is(parseRotation(input), output), true, `${input} -> ${output}`);
});

const I420_4x2 = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 1, 2]);
const base: VideoFrameBufferInit = { format: 'I420', codedWidth: 4, codedHeight: 2, timestamp: 1234 };

t.test('validateBufferInit: a valid init', async (t) => {
  const v = validateBufferInit(base, I420_4x2.byteLength);
  t.equal(v.format, 'I420');
  t.equal(v.codedWidth, 4);
  t.equal(v.codedHeight, 2);
  t.same(v.visibleRect, { x: 0, y: 0, width: 4, height: 2 });
  t.equal(v.displayWidth, 4);
  t.equal(v.displayHeight, 2);
  t.same(v.planes, [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }]);
  t.equal(v.timestamp, 1234);
  t.equal(v.duration, undefined);
  t.equal(v.rotation, 0);
  t.equal(v.flip, false);
  t.same(v.colorSpace.toJSON(), { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false });

  const rgb = validateBufferInit({ ...base, format: 'RGBX' }, 32);
  t.same(rgb.colorSpace.toJSON(), { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true });
  const custom = validateBufferInit({ ...base, colorSpace: { primaries: 'smpte170m', matrix: 'bt470bg' } }, 12);
  t.same(custom.colorSpace.toJSON(), { primaries: 'smpte170m', transfer: null, matrix: 'bt470bg', fullRange: null }, 'a given colour space is not completed');

  const cropped = validateBufferInit({ ...base, visibleRect: { x: 2, y: 0, width: 1, height: 1 } }, 12);
  t.same(cropped.visibleRect, { x: 2, y: 0, width: 1, height: 1 });
  t.same(cropped.planes, v.planes, 'the layout describes the whole coded frame, whatever the visible rect');
  t.equal(cropped.displayWidth, 1);
  t.equal(cropped.displayHeight, 1);

  const rotated = validateBufferInit({ ...base, rotation: 85, flip: true, visibleRect: { x: 0, y: 0, width: 4, height: 2 } }, 12);
  t.equal(rotated.rotation, 90);
  t.equal(rotated.flip, true);
  t.same([rotated.displayWidth, rotated.displayHeight], [2, 4], 'a quarter turn swaps the default display size');
  const explicit = validateBufferInit({ ...base, rotation: 270, displayWidth: 8, displayHeight: 3, duration: 40000 }, 12);
  t.same([explicit.displayWidth, explicit.displayHeight], [8, 3], 'an explicit display size is kept as given');
  t.equal(explicit.duration, 40000);

  const layout = validateBufferInit({ ...base, layout: [{ offset: 4, stride: 6 }, { offset: 0, stride: 2 }, { offset: 2, stride: 2 }] }, 16);
  t.same(layout.planes, [{ offset: 4, stride: 6 }, { offset: 0, stride: 2 }, { offset: 2, stride: 2 }]);
  t.throws(() => validateBufferInit({ ...base, layout: [{ offset: 4, stride: 6 }, { offset: 0, stride: 2 }, { offset: 2, stride: 2 }] }, 15), /data is 15 bytes but .* needs 16/);

  t.equal(validateBufferInit(loose({ ...base, codedWidth: 4.9, timestamp: -1.5 }), 12).codedWidth, 4, '[EnforceRange] truncates');
  t.equal(validateBufferInit(loose({ ...base, timestamp: -1.5 }), 12).timestamp, -1);
  t.equal(validateBufferInit({ ...base, format: 'I420', codedWidth: 3, codedHeight: 3 }, 17).codedWidth, 3, 'odd coded sizes are valid');
});

t.test('validateBufferInit: invalid inits', async (t) => {
  const bad: Array<[string, unknown, number, RegExp]> = [
    ['missing format', { ...base, format: undefined }, 12, /VideoFrameBufferInit\.format is required/],
    ['unknown format', { ...base, format: 'ABCD' }, 12, /format must be a VideoPixelFormat .* \(got 'ABCD'\)/],
    ['missing coded size', { format: 'RGBA', timestamp: 1234 }, 12, /codedHeight is required/],
    ['missing timestamp', { ...base, timestamp: undefined }, 12, /timestamp is required/],
    ['non-finite timestamp', { ...base, timestamp: Infinity }, 12, /timestamp must be a finite number/],
    ['zero coded width', { ...base, codedWidth: 0 }, 12, /codedWidth and codedHeight must be at least 1/],
    ['zero coded height', { ...base, codedHeight: 0 }, 12, /must be at least 1 \(got 4x0\)/],
    ['negative coded width', { ...base, codedWidth: -4 }, 12, /codedWidth is out of range/],
    ['huge coded size', { ...base, codedWidth: 2 ** 32 - 1, codedHeight: 2 ** 32 - 1 }, 12, /beyond the 4 GiB/],
    ['visible rect outside', { ...base, visibleRect: { x: 100, y: 100, width: 1, height: 1 } }, 12, /extends past the coded width/],
    ['empty visible width', { ...base, visibleRect: { x: 0, y: 0, width: 0, height: 2 } }, 12, /must not be empty/],
    ['negative visible size', { ...base, visibleRect: { x: 0, y: 0, width: -100, height: -100 } }, 12, /non-negative/],
    ['misaligned visible rect', { ...base, visibleRect: { x: 1, y: 0, width: 2, height: 2 } }, 12, /visibleRect\.x \(1\) must be a multiple of 2/],
    ['display width alone', { ...base, displayWidth: 4 }, 12, /given together/],
    ['display height alone', { ...base, displayHeight: 4 }, 12, /given together/],
    ['zero display width', { ...base, displayWidth: 0, displayHeight: 2 }, 12, /displayWidth and displayHeight must be at least 1/],
    ['display width out of range', { ...base, displayWidth: 2 ** 32, displayHeight: 2 }, 12, /displayWidth is out of range/],
    ['display height out of range', { ...base, displayWidth: 2 ** 32 - 1, displayHeight: 2 ** 32 }, 12, /displayHeight is out of range/],
    ['negative duration', { ...base, duration: -1 }, 12, /duration is out of range/],
    ['NaN rotation', { ...base, rotation: NaN }, 12, /rotation must be a finite number/],
    ['bad colour space', { ...base, colorSpace: { primaries: 'p3' } }, 12, /primaries must be one of/],
    ['wrong plane count', { ...base, layout: [{ offset: 0, stride: 4 }] }, 12, /layout has 1 plane/],
    ['Y stride too small', { ...base, layout: [{ offset: 0, stride: 1 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }] }, 12, /stride \(1\) is shorter/],
    ['U stride too small', { ...base, layout: [{ offset: 0, stride: 4 }, { offset: 8, stride: 1 }, { offset: 10, stride: 2 }] }, 12, /layout\[1\]\.stride/],
    ['data too small', base, 8, /data is 8 bytes but a 4x2 I420 frame with this layout needs 12/],
    ['not a dictionary', 'I420', 12, /must be an object/],
  ];
  for (const [what, init, byteLength, message] of bad) {
    t.throws(() => validateBufferInit(loose(init), byteLength), { name: 'TypeError', message }, what);
  }
});

// ---------------------------------------------------------------------------------------------
// Properties.

const formatArb = fc.constantFrom(...VIDEO_PIXEL_FORMATS);

/** A format, a coded size and a rect inside it whose offset is aligned for the format. */
const frameAndRectArb = formatArb.chain((format) =>
  fc
    .record({ codedWidth: fc.integer({ min: 1, max: 48 }), codedHeight: fc.integer({ min: 1, max: 48 }) })
    .chain(({ codedWidth, codedHeight }) => {
      const alignX = Math.max(...Array.from({ length: planeCount(format) }, (_, p) => subsampling(format, p).x));
      const alignY = Math.max(...Array.from({ length: planeCount(format) }, (_, p) => subsampling(format, p).y));
      return fc
        .record({
          x: fc.integer({ min: 0, max: Math.floor((codedWidth - 1) / alignX) }).map((n) => n * alignX),
          y: fc.integer({ min: 0, max: Math.floor((codedHeight - 1) / alignY) }).map((n) => n * alignY),
        })
        .chain(({ x, y }) =>
          fc.record({
            format: fc.constant(format),
            codedWidth: fc.constant(codedWidth),
            codedHeight: fc.constant(codedHeight),
            rect: fc.record({
              x: fc.constant(x),
              y: fc.constant(y),
              width: fc.integer({ min: 1, max: codedWidth - x }),
              height: fc.integer({ min: 1, max: codedHeight - y }),
            }),
          }),
        );
    }),
);

/** Plane byte ranges [start, end) in the destination, as rows are actually written. */
function planeRanges(copies: RowCopy[]): Array<[number, number]> {
  return copies.map((c) => [c.dstOffset, c.dstOffset + (c.rows - 1) * c.dstStride + c.rowBytes]);
}

function assertLayoutSound(
  format: VideoPixelFormat,
  codedWidth: number,
  codedHeight: number,
  parsed: ReturnType<typeof parseCopyToOptions>,
): void {
  const { allocationSize, layout, rowCopies } = parsed;
  // Planes as declared by the layout (stride * rows) must not overlap and must fit.
  const spans = layout.map((p) => [p.destinationOffset, p.destinationOffset + p.destinationStride * p.sourceHeight] as const);
  for (const [start, end] of spans) {
    if (end > allocationSize) throw new Error(`plane ${start}..${end} exceeds allocationSize ${allocationSize}`);
  }
  for (let a = 0; a < spans.length; a++) {
    for (let b = a + 1; b < spans.length; b++) {
      const [s1, e1] = spans[a]!;
      const [s2, e2] = spans[b]!;
      if (s1 < e2 && s2 < e1) throw new Error(`planes ${a} and ${b} overlap`);
    }
  }
  if (allocationSize !== Math.max(...spans.map(([, end]) => end))) throw new Error('allocationSize is not the last plane end');
  // The row copies write inside their plane and read inside the source plane.
  for (const [i, [start, end]] of planeRanges(rowCopies).entries()) {
    if (start < spans[i]![0] || end > spans[i]![1]) throw new Error(`row copy ${i} writes outside its plane`);
  }
  for (const c of rowCopies) {
    const { x, y } = subsampling(format, c.plane);
    const planeRowBytes = Math.ceil(codedWidth / x) * sampleBytes(format, c.plane);
    const planeRows = Math.ceil(codedHeight / y);
    if (c.srcX + c.rowBytes > planeRowBytes || c.srcY + c.rows > planeRows) {
      throw new Error(`row copy of plane ${c.plane} reads outside the ${planeRowBytes}x${planeRows} source plane`);
    }
  }
}

t.test('property: default layouts of random valid rects are sound', async (t) => {
  fc.assert(
    fc.property(frameAndRectArb, ({ format, codedWidth, codedHeight, rect }) => {
      const parsed = parseCopyToOptions(frameOf(format, codedWidth, codedHeight), { rect });
      assertLayoutSound(format, codedWidth, codedHeight, parsed);
      const expectedSize = Array.from({ length: planeCount(format) }, (_, p) => {
        const { x, y } = subsampling(format, p);
        return Math.ceil(rect.width / x) * sampleBytes(format, p) * Math.ceil(rect.height / y);
      }).reduce((a, b) => a + b, 0);
      return parsed.allocationSize === expectedSize;
    }),
    { numRuns: 500 },
  );
  t.pass('held');
});

t.test('property: random explicit layouts either throw TypeError or are sound', async (t) => {
  const layoutArb = fc.array(fc.record({ offset: fc.integer({ min: 0, max: 600 }), stride: fc.integer({ min: 0, max: 120 }) }), {
    minLength: 1,
    maxLength: 4,
  });
  let accepted = 0;
  fc.assert(
    fc.property(frameAndRectArb, layoutArb, ({ format, codedWidth, codedHeight, rect }, layout) => {
      let parsed: ReturnType<typeof parseCopyToOptions>;
      try {
        parsed = parseCopyToOptions(frameOf(format, codedWidth, codedHeight), { rect, layout });
      } catch (e) {
        return e instanceof TypeError;
      }
      accepted++;
      assertLayoutSound(format, codedWidth, codedHeight, parsed);
      return true;
    }),
    { numRuns: 2000 },
  );
  t.ok(accepted > 0, `some random layouts were valid (${accepted})`);
});

t.test('property: generated valid layouts (padded strides, shuffled planes) are accepted and sound', async (t) => {
  const arb = frameAndRectArb.chain((frame) => {
    const n = planeCount(frame.format);
    return fc.record({
      frame: fc.constant(frame),
      padding: fc.array(fc.integer({ min: 0, max: 16 }), { minLength: n, maxLength: n }),
      gaps: fc.array(fc.integer({ min: 0, max: 32 }), { minLength: n, maxLength: n }),
      order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
    });
  });
  fc.assert(
    fc.property(arb, ({ frame, padding, gaps, order }) => {
      const { format, codedWidth, codedHeight, rect } = frame;
      const tight = computeLayoutAndAllocationSize(rect, format).layout;
      const layout: PlaneLayout[] = new Array(tight.length);
      let cursor = 0;
      for (const plane of order) {
        cursor += gaps[plane]!;
        const stride = tight[plane]!.sourceWidthBytes + padding[plane]!;
        layout[plane] = { offset: cursor, stride };
        cursor += stride * tight[plane]!.sourceHeight;
      }
      const parsed = parseCopyToOptions(frameOf(format, codedWidth, codedHeight), { rect, layout });
      assertLayoutSound(format, codedWidth, codedHeight, parsed);
      return parsed.allocationSize === cursor;
    }),
    { numRuns: 500 },
  );
  t.pass('held');
});

t.test('property: validateBufferInit accepts exactly the data sizes its layout needs', async (t) => {
  fc.assert(
    fc.property(frameAndRectArb, ({ format, codedWidth, codedHeight, rect }) => {
      const init: VideoFrameBufferInit = { format, codedWidth, codedHeight, timestamp: 0, visibleRect: rect };
      const size = computeLayoutAndAllocationSize(rectOf(codedWidth, codedHeight), format).allocationSize;
      const v = validateBufferInit(init, size);
      let short = false;
      try {
        validateBufferInit(init, size - 1);
      } catch (e) {
        short = e instanceof TypeError;
      }
      return short && v.visibleRect.width === rect.width && v.displayWidth === rect.width && v.displayHeight === rect.height;
    }),
    { numRuns: 300 },
  );
  t.pass('held');
});
