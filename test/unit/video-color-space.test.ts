import t from 'tap';
import fc from 'fast-check';
import { isRgbFormat, VIDEO_PIXEL_FORMATS } from '../../src/codecs/pixel-format.js';
import {
  colorSpaceFromFFmpeg,
  colorSpaceToFFmpeg,
  pickDefaultColorSpace,
  VideoColorSpace,
  type VideoColorPrimaries,
  type VideoColorSpaceInit,
  type VideoMatrixCoefficients,
  type VideoTransferCharacteristics,
} from '../../src/codecs/video-color-space.js';

const PRIMARIES: VideoColorPrimaries[] = ['bt709', 'bt470bg', 'smpte170m', 'bt2020', 'smpte432'];
const TRANSFERS: VideoTransferCharacteristics[] = ['bt709', 'smpte170m', 'iec61966-2-1', 'linear', 'pq', 'hlg'];
const MATRICES: VideoMatrixCoefficients[] = ['rgb', 'bt709', 'bt470bg', 'smpte170m', 'bt2020-ncl'];

const NULLS = { primaries: null, transfer: null, matrix: null, fullRange: null };

function loose<T>(value: unknown): T {
  return value as T;
}

t.test('constructor and toJSON', async (t) => {
  t.same(new VideoColorSpace().toJSON(), NULLS, 'no init: every member null');
  t.same(new VideoColorSpace({}).toJSON(), NULLS);
  t.same(new VideoColorSpace(loose(null)).toJSON(), NULLS, 'null is the empty dictionary');

  const hdr = new VideoColorSpace({ primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: false });
  t.equal(hdr.primaries, 'bt2020');
  t.equal(hdr.transfer, 'pq');
  t.equal(hdr.matrix, 'bt2020-ncl');
  t.equal(hdr.fullRange, false);
  t.same(hdr.toJSON(), { primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: false });
  t.equal(JSON.stringify(hdr), '{"primaries":"bt2020","transfer":"pq","matrix":"bt2020-ncl","fullRange":false}');
  t.same(new VideoColorSpace(hdr).toJSON(), hdr.toJSON(), 'a VideoColorSpace is a valid init');
  t.same(new VideoColorSpace(hdr.toJSON()).toJSON(), hdr.toJSON(), 'toJSON round-trips');

  const partial = new VideoColorSpace({ transfer: 'hlg', fullRange: null });
  t.same(partial.toJSON(), { ...NULLS, transfer: 'hlg' }, 'absent and null members are null');

  t.equal(new VideoColorSpace(loose({ fullRange: 1 })).fullRange, true, 'fullRange converts like a WebIDL boolean');
  t.equal(new VideoColorSpace(loose({ fullRange: '' })).fullRange, false);
  t.equal(new VideoColorSpace(loose({ primaries: { toString: () => 'smpte432' } })).primaries, 'smpte432', 'enum values are stringified first');

  t.equal(Object.prototype.toString.call(hdr), '[object VideoColorSpace]');
  t.throws(() => {
    (hdr as unknown as { primaries: string }).primaries = 'bt709';
  }, TypeError, 'attributes are read-only');
  t.equal(hdr.primaries, 'bt2020');
  t.same(Object.keys(hdr), [], 'no own enumerable state');
});

t.test('enum validation', async (t) => {
  const bad: Array<[VideoColorSpaceInit, RegExp]> = [
    [loose({ primaries: 'bt601' }), /VideoColorSpaceInit\.primaries must be one of 'bt709', .* \(got 'bt601'\)/],
    [loose({ primaries: 'BT709' }), /primaries/],
    [loose({ transfer: 'srgb' }), /VideoColorSpaceInit\.transfer must be one of .*'iec61966-2-1'/],
    [loose({ transfer: 'gamma22' }), /transfer/],
    [loose({ matrix: 'bt2020-cl' }), /VideoColorSpaceInit\.matrix must be one of .*'bt2020-ncl'/],
    [loose({ matrix: 0 }), /matrix .*\(got '0'\)/],
  ];
  for (const [init, message] of bad) {
    t.throws(() => new VideoColorSpace(init), { name: 'TypeError', message }, JSON.stringify(init));
  }
  t.throws(() => new VideoColorSpace(loose(5)), { name: 'TypeError', message: /must be an object/ });
  t.throws(
    () => new VideoColorSpace(loose({ transfer: 'nope', matrix: 'nope' })),
    /matrix/,
    'members are converted in lexicographic order',
  );
  for (const primaries of PRIMARIES) t.equal(new VideoColorSpace({ primaries }).primaries, primaries);
  for (const transfer of TRANSFERS) t.equal(new VideoColorSpace({ transfer }).transfer, transfer);
  for (const matrix of MATRICES) t.equal(new VideoColorSpace({ matrix }).matrix, matrix);
});

t.test('FFmpeg mapping uses the H.273 code points', async (t) => {
  const srgb = colorSpaceFromFFmpeg({ primaries: 1, transfer: 13, matrix: 0, range: 2 });
  t.same(srgb.toJSON(), { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true });

  const ntsc = colorSpaceFromFFmpeg({ primaries: 6, transfer: 6, matrix: 6, range: 1 });
  t.same(ntsc.toJSON(), { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false });

  const pal = colorSpaceFromFFmpeg({ primaries: 5, transfer: 8, matrix: 5, range: 1 });
  t.same(pal.toJSON(), { primaries: 'bt470bg', transfer: 'linear', matrix: 'bt470bg', fullRange: false });

  const hdr = colorSpaceFromFFmpeg({ primaries: 9, transfer: 16, matrix: 9, range: 1 });
  t.same(hdr.toJSON(), { primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: false });
  t.equal(colorSpaceFromFFmpeg({ primaries: 12, transfer: 18, matrix: 1, range: 2 }).primaries, 'smpte432');
  t.equal(colorSpaceFromFFmpeg({ primaries: 12, transfer: 18, matrix: 1, range: 2 }).transfer, 'hlg');

  t.same(colorSpaceFromFFmpeg({ primaries: 2, transfer: 2, matrix: 2, range: 0 }).toJSON(), NULLS, 'unspecified is null');
  t.same(
    colorSpaceFromFFmpeg({ primaries: 4, transfer: 14, matrix: 10, range: 3 }).toJSON(),
    NULLS,
    'code points WebCodecs cannot name (BT.470M, BT.2020 10-bit, BT.2020 CL, AVCOL_RANGE_NB) are null',
  );
  t.same(colorSpaceFromFFmpeg({ primaries: 0, transfer: 0, matrix: 0, range: 0 }).toJSON(), { ...NULLS, matrix: 'rgb' }, 'matrix 0 is RGB, primaries/transfer 0 are reserved');

  t.same(
    colorSpaceToFFmpeg(new VideoColorSpace({ primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true })),
    { primaries: 1, transfer: 13, matrix: 0, fullRange: true },
  );
  t.same(colorSpaceToFFmpeg({ transfer: 'smpte170m', fullRange: false }), { transfer: 6, fullRange: false }, 'null members are left out');
  t.same(colorSpaceToFFmpeg(new VideoColorSpace()), {});
  t.same(colorSpaceToFFmpeg({ primaries: 'smpte432', transfer: 'linear', matrix: 'bt2020-ncl' }), { primaries: 12, transfer: 8, matrix: 9 });
  t.same(colorSpaceToFFmpeg({ transfer: 'hlg', primaries: 'bt470bg', matrix: 'bt470bg' }), { transfer: 18, primaries: 5, matrix: 5 });
  t.throws(() => colorSpaceToFFmpeg(loose({ primaries: 'unknown' })), TypeError, 'a plain init is validated');
});

t.test('every colour space round-trips through FFmpeg', async (t) => {
  const rangeOf = (fullRange: boolean | null) => (fullRange === null ? 0 : fullRange ? 2 : 1);
  let count = 0;
  for (const primaries of [...PRIMARIES, null]) {
    for (const transfer of [...TRANSFERS, null]) {
      for (const matrix of [...MATRICES, null]) {
        for (const fullRange of [true, false, null]) {
          const cs = new VideoColorSpace({ primaries, transfer, matrix, fullRange });
          const ff = colorSpaceToFFmpeg(cs);
          const back = colorSpaceFromFFmpeg({
            primaries: ff.primaries ?? 2,
            transfer: ff.transfer ?? 2,
            matrix: ff.matrix ?? 2,
            range: rangeOf(ff.fullRange ?? null),
          });
          if (JSON.stringify(back) !== JSON.stringify(cs)) t.fail(`${JSON.stringify(cs)} came back as ${JSON.stringify(back)}`);
          count++;
        }
      }
    }
  }
  t.equal(count, 6 * 7 * 6 * 3, 'all combinations checked');

  // And the other direction: every FFmpeg code point WebCodecs names survives the trip back.
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 0, max: 3 }),
      (primaries, transfer, matrix, range) => {
        const cs = colorSpaceFromFFmpeg({ primaries, transfer, matrix, range });
        const ff = colorSpaceToFFmpeg(cs);
        return (
          (cs.primaries === null || ff.primaries === primaries) &&
          (cs.transfer === null || ff.transfer === transfer) &&
          (cs.matrix === null || ff.matrix === matrix) &&
          (cs.fullRange === null ? range !== 1 && range !== 2 : (ff.fullRange ? 2 : 1) === range)
        );
      },
    ),
  );
});

t.test('pickDefaultColorSpace', async (t) => {
  const SRGB = { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true };
  const REC709 = { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false };
  for (const format of VIDEO_PIXEL_FORMATS) {
    t.same(pickDefaultColorSpace(format).toJSON(), isRgbFormat(format) ? SRGB : REC709, format);
  }
  t.same(
    pickDefaultColorSpace('I420', { primaries: 'smpte170m', matrix: 'bt470bg' }).toJSON(),
    { primaries: 'smpte170m', transfer: null, matrix: 'bt470bg', fullRange: null },
    'a given colour space is used as is (web-platform-tests expect the nulls)',
  );
  t.same(pickDefaultColorSpace('RGBA', {}).toJSON(), NULLS, 'an empty init is still an override');
  t.same(pickDefaultColorSpace('RGBA', { fullRange: false }).toJSON(), { ...NULLS, fullRange: false });
  const given = new VideoColorSpace({ transfer: 'pq' });
  const picked = pickDefaultColorSpace('I420P10', given);
  t.not(picked, given, 'a new object each time');
  t.same(picked.toJSON(), given.toJSON());
  t.not(pickDefaultColorSpace('I420'), pickDefaultColorSpace('I420'));
  t.throws(() => pickDefaultColorSpace('I420', loose({ matrix: 'ycgco' })), TypeError);
});
