import { deepStrictEqual } from 'node:assert/strict';
import t from 'tap';
import fc from 'fast-check';
import {
  parseAudioCodecString,
  parseVideoCodecString,
  smallestFittingLevel,
  videoLevelLimits,
  type ParsedAudioCodec,
  type ParsedVideoCodec,
} from '../../src/codecs/config/codec-string/index.js';

// The expected tables are restated here from the specs rather than imported, so a typo in
// the implementation's tables shows up as a failure instead of being mirrored.
const AVC_PROFILES = [66, 77, 88, 100, 110, 122, 244, 44];
const AVC_LEVELS = [10, 9, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52, 60, 61, 62];
const HEVC_PROFILES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const HEVC_LEVELS = [30, 60, 63, 90, 93, 120, 123, 150, 153, 156, 180, 183, 186];
const VP9_LEVELS = [10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 52, 60, 61, 62];
const AV1_LEVELS = [0, 1, 4, 5, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 31];
const COLOR_PRIMARIES = [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 22];
const TRANSFER_CHARACTERISTICS = [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
const MATRIX_COEFFICIENTS = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

// The subtest type tap hands to a t.test callback.
type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const dec2 = (n: number): string => String(n).padStart(2, '0');

function expectVideo(t: TapTest, cases: [string, ParsedVideoCodec][]): void {
  for (const [codec, expected] of cases) t.strictSame(parseVideoCodecString(codec), expected, codec);
}

function expectVideoNull(t: TapTest, codecs: string[]): void {
  for (const codec of codecs) t.equal(parseVideoCodecString(codec), null, JSON.stringify(codec));
}

function expectAudio(t: TapTest, cases: [string, ParsedAudioCodec][]): void {
  for (const [codec, expected] of cases) t.strictSame(parseAudioCodecString(codec), expected, codec);
}

function expectAudioNull(t: TapTest, codecs: string[]): void {
  for (const codec of codecs) t.equal(parseAudioCodecString(codec), null, JSON.stringify(codec));
}

t.test('AVC registration (avc1/avc3, RFC 6381 §3.4)', async (t) => {
  expectVideo(t, [
    ['avc1.42001E', { kind: 'avc', codec: 'avc1.42001E', profile: 66, constraints: 0x00, level: 30 }],
    ['avc1.42E01E', { kind: 'avc', codec: 'avc1.42E01E', profile: 66, constraints: 0xe0, level: 30 }],
    ['avc1.4d401f', { kind: 'avc', codec: 'avc1.4d401f', profile: 77, constraints: 0x40, level: 31 }],
    ['avc3.64001F', { kind: 'avc', codec: 'avc3.64001F', profile: 100, constraints: 0x00, level: 31 }],
    ['avc1.640009', { kind: 'avc', codec: 'avc1.640009', profile: 100, constraints: 0x00, level: 9 }],
    ['avc1.f4003E', { kind: 'avc', codec: 'avc1.f4003E', profile: 244, constraints: 0x00, level: 62 }],
  ]);
  expectVideoNull(t, [
    'avc1',
    'avc1.',
    'avc1.42001',
    'avc1.42001E0',
    'avc1.42001E.1',
    'Avc1.42001e',
    'AVC1.42001E',
    'avc2.42001E',
    'avc1.42001G',
    'avc1.0x001E',
    'avc1.42 01E',
    ' avc1.42001E',
    'avc1.42001E ',
    'avc1.43001E', // profile_idc 67 is not an AVC profile
    'avc1.42000E', // level_idc 14 is not a level
    'avc1.420000',
    'avc1.42003F', // level_idc 63
  ]);
});

t.test('HEVC registration (hev1/hvc1, ISO/IEC 14496-15 E.3)', async (t) => {
  expectVideo(t, [
    [
      'hev1.1.6.L93.B0',
      {
        kind: 'hevc',
        codec: 'hev1.1.6.L93.B0',
        profileSpace: 0,
        profile: 1,
        compatibilityFlags: 0x6,
        tier: 'main',
        level: 93,
        constraints: [0xb0],
      },
    ],
    [
      'hvc1.2.4.H153.90.0.0.0.0.0',
      {
        kind: 'hevc',
        codec: 'hvc1.2.4.H153.90.0.0.0.0.0',
        profileSpace: 0,
        profile: 2,
        compatibilityFlags: 0x4,
        tier: 'high',
        level: 153,
        constraints: [0x90, 0, 0, 0, 0, 0],
      },
    ],
    [
      'hev1.C4.0000001f.L120.b0.23',
      {
        kind: 'hevc',
        codec: 'hev1.C4.0000001f.L120.b0.23',
        profileSpace: 3,
        profile: 4,
        compatibilityFlags: 0x1f,
        tier: 'main',
        level: 120,
        constraints: [0xb0, 0x23],
      },
    ],
  ]);
  expectVideoNull(t, [
    'hev1',
    'hev1.1.6.L93', // the registration's fourth field (a constraint byte) is missing
    'hev1.1.6.L93.B0.0.0.0.0.0.0', // seven constraint bytes
    'hev1.1.6.L93.',
    'hev1.1.6.L93..B0',
    'hev1.1.6.93.B0',
    'HEV1.1.6.L93.B0',
    'hev2.1.6.L93.B0',
    'hev1.D1.6.L93.B0',
    'hev1.a1.6.L93.B0',
    'hev1.0.6.L93.B0',
    'hev1.12.6.L93.B0',
    'hev1.01.6.L93.B0',
    'hev1.1.123456789.L93.B0',
    'hev1.1.6G.L93.B0',
    'hev1.1.6.M93.B0',
    'hev1.1.6.l93.B0',
    'hev1.1.6.L94.B0',
    'hev1.1.6.L093.B0',
    'hev1.1.6.H93.B0', // no High tier below level 4
    'hev1.1.6.L93.B00',
    'hvc1.1.6.L93.B0 ',
  ]);
});

t.test('VP8 registration', async (t) => {
  expectVideo(t, [['vp8', { kind: 'vp8', codec: 'vp8' }]]);
  expectVideoNull(t, ['VP8', 'Vp8', 'vp08', 'vp8.0', ' vp8', 'vp8 ', 'vp80']);
});

t.test('VP9 registration (vp09, VP codec ISO BMFF binding)', async (t) => {
  expectVideo(t, [
    [
      'vp09.02.10.10.01.09.16.09.01',
      {
        kind: 'vp9',
        codec: 'vp09.02.10.10.01.09.16.09.01',
        profile: 2,
        level: 10,
        bitDepth: 10,
        chromaSubsampling: 1,
        colorPrimaries: 9,
        transferCharacteristics: 16,
        matrixCoefficients: 9,
        fullRange: true,
      },
    ],
    ['vp09.00.41.08', { kind: 'vp9', codec: 'vp09.00.41.08', profile: 0, level: 41, bitDepth: 8 }],
    ['vp09.00.10.08', { kind: 'vp9', codec: 'vp09.00.10.08', profile: 0, level: 10, bitDepth: 8 }],
    [
      'vp09.01.20.08.03.01.13.00.01',
      {
        kind: 'vp9',
        codec: 'vp09.01.20.08.03.01.13.00.01',
        profile: 1,
        level: 20,
        bitDepth: 8,
        chromaSubsampling: 3,
        colorPrimaries: 1,
        transferCharacteristics: 13,
        matrixCoefficients: 0,
        fullRange: true,
      },
    ],
  ]);
  expectVideoNull(t, [
    'vp9',
    'vp09',
    'vp09.',
    'vp09.00',
    'vp09.00.10',
    'vp09.00.10.08.01', // the optional fields are all-or-none
    'vp09.00.10.08.01.01.01.01',
    'vp09.00.10.08.01.01.01.01.00.00',
    'VP09.00.10.08',
    'vp09.0.10.08',
    'vp09.00.10.8',
    'vp09.00.010.08',
    'vp09.04.10.08',
    'vp09.00.12.08',
    'vp09.00.00.08',
    'vp09.00.10.10', // profile 0 is 8-bit
    'vp09.02.10.08', // profile 2 is 10/12-bit
    'vp09.02.10.09',
    'vp09.00.10.08.02.01.01.01.00', // profile 0 is 4:2:0 only
    'vp09.01.10.08.01.01.01.01.00', // profile 1 excludes 4:2:0
    'vp09.00.10.08.04.01.01.01.00',
    'vp09.00.10.08.01.03.01.01.00', // reserved colour primaries
    'vp09.00.10.08.01.01.03.01.00', // reserved transfer
    'vp09.00.10.08.01.01.01.03.00', // reserved matrix
    'vp09.01.10.08.02.01.13.00.01', // RGB must be 4:4:4
    'vp09.00.10.08.01.01.01.01.02',
    'vp09.00.10.08 ',
  ]);
});

t.test('AV1 registration (av01, AV1 ISO BMFF binding §5)', async (t) => {
  expectVideo(t, [
    [
      'av01.0.04M.10.0.112.09.16.09.0',
      {
        kind: 'av1',
        codec: 'av01.0.04M.10.0.112.09.16.09.0',
        profile: 0,
        level: 4,
        tier: 'main',
        bitDepth: 10,
        monochrome: false,
        chromaSubsampling: '112',
        colorPrimaries: 9,
        transferCharacteristics: 16,
        matrixCoefficients: 9,
        fullRange: false,
      },
    ],
    ['av01.0.01M.08', { kind: 'av1', codec: 'av01.0.01M.08', profile: 0, level: 1, tier: 'main', bitDepth: 8 }],
    ['av01.0.08H.10', { kind: 'av1', codec: 'av01.0.08H.10', profile: 0, level: 8, tier: 'high', bitDepth: 10 }],
    ['av01.2.31H.12', { kind: 'av1', codec: 'av01.2.31H.12', profile: 2, level: 31, tier: 'high', bitDepth: 12 }],
    [
      'av01.1.05M.08.0.000.01.13.00.1',
      {
        kind: 'av1',
        codec: 'av01.1.05M.08.0.000.01.13.00.1',
        profile: 1,
        level: 5,
        tier: 'main',
        bitDepth: 8,
        monochrome: false,
        chromaSubsampling: '000',
        colorPrimaries: 1,
        transferCharacteristics: 13,
        matrixCoefficients: 0,
        fullRange: true,
      },
    ],
    [
      'av01.0.04M.08.1.110.01.01.01.0',
      {
        kind: 'av1',
        codec: 'av01.0.04M.08.1.110.01.01.01.0',
        profile: 0,
        level: 4,
        tier: 'main',
        bitDepth: 8,
        monochrome: true,
        chromaSubsampling: '110',
        colorPrimaries: 1,
        transferCharacteristics: 1,
        matrixCoefficients: 1,
        fullRange: false,
      },
    ],
  ]);
  expectVideoNull(t, [
    'av1',
    'av01',
    'av01.0',
    'av01.0.04M',
    'av01.0.04M.08.0', // the optional fields are all-or-none
    'av01.0.04M.08.0.110.01.01.01',
    'av01.0.04M.08.0.110.01.01.01.0.0',
    'AV01.0.04M.08',
    'av01.0.04m.08',
    'av01.0.4M.08',
    'av01.00.04M.08',
    'av01.0.04.08',
    'av01.0.04M.8',
    'av01.3.04M.08',
    'av01.0.02M.08', // level 2.2 is not defined
    'av01.0.24M.08', // reserved
    'av01.0.04H.08', // seq_tier is only coded above level 3.3
    'av01.0.04M.12', // profile 0 is 8/10-bit
    'av01.0.04M.09',
    'av01.1.04M.08.1.110.01.01.01.0', // profile 1 has no monochrome
    'av01.0.04M.08.0.000.01.01.01.0', // profile 0 is 4:2:0
    'av01.2.04M.10.0.110.01.01.01.0', // profile 2 below 12-bit is 4:2:2
    'av01.0.04M.08.1.112.01.01.01.0', // monochrome has no sample position
    'av01.0.04M.08.0.113.01.01.01.0', // reserved sample position
    'av01.1.04M.08.0.001.01.01.01.0', // sample position only for 4:2:0
    'av01.0.04M.08.0.110.01.01.00.0', // identity matrix needs 4:4:4
    'av01.1.04M.08.0.000.01.13.00.0', // sRGB is full range
    'av01.0.04M.08.2.110.01.01.01.0',
    'av01.0.04M.08.0.110.01.01.01.2',
    'av01.0.04M.08.0.110.1.01.01.0',
    'av01.0.04M.08.0.110.03.01.01.0',
    'av01.0.04M.08 ',
  ]);
});

t.test('AAC registration (mp4a)', async (t) => {
  expectAudio(t, [
    ['mp4a.40.2', { kind: 'aac', codec: 'mp4a.40.2', objectType: 2 }],
    ['mp4a.40.02', { kind: 'aac', codec: 'mp4a.40.02', objectType: 2 }],
    ['mp4a.40.5', { kind: 'aac', codec: 'mp4a.40.5', objectType: 5 }],
    ['mp4a.40.05', { kind: 'aac', codec: 'mp4a.40.05', objectType: 5 }],
    ['mp4a.40.29', { kind: 'aac', codec: 'mp4a.40.29', objectType: 29 }],
    ['mp4a.40.42', { kind: 'aac', codec: 'mp4a.40.42', objectType: 42 }],
    ['mp4a.67', { kind: 'aac', codec: 'mp4a.67', objectType: 2 }],
  ]);
  expectAudioNull(t, [
    'mp4a',
    'mp4a.40',
    'mp4a.40.',
    'mp4a.40.1',
    'mp4a.40.002',
    'mp4a.40.029',
    'mp4a.40.2.1',
    'mp4a.66',
    'MP4A.40.2',
    'mp4a.40.2 ',
    'aac',
  ]);
});

t.test('MP3 registration', async (t) => {
  expectAudio(t, [
    ['mp3', { kind: 'mp3', codec: 'mp3' }],
    ['mp4a.69', { kind: 'mp3', codec: 'mp4a.69' }],
    ['mp4a.6B', { kind: 'mp3', codec: 'mp4a.6B' }],
    ['mp4a.6b', { kind: 'mp3', codec: 'mp4a.6b' }],
  ]);
  // mp4a.40.34 (MPEG-1/2 Layer 3 as an MPEG-4 object type) is not listed by the registration.
  expectAudioNull(t, ['MP3', 'mp3 ', 'mpeg', 'mp4a.6C', 'mp4a.40.34', 'mp4a.6B.0']);
});

t.test('Opus, FLAC, Vorbis, u-law and A-law registrations', async (t) => {
  for (const kind of ['opus', 'flac', 'vorbis', 'ulaw', 'alaw'] as const) {
    expectAudio(t, [[kind, { kind, codec: kind }]]);
    expectAudioNull(t, [kind.toUpperCase(), ` ${kind}`, `${kind} `, `${kind}.0`, kind.slice(0, -1)]);
  }
});

t.test('PCM registration', async (t) => {
  for (const format of ['u8', 's16', 's24', 's32', 'f32'] as const) {
    expectAudio(t, [[`pcm-${format}`, { kind: 'pcm', codec: `pcm-${format}`, format }]]);
  }
  expectAudioNull(t, ['pcm', 'pcm-', 'pcm-s8', 'pcm-u16', 'pcm-f64', 'pcm-S16', 'PCM-s16', 'pcm_s16le', 'pcm-s16 ']);
});

t.test('codec registry: video and audio strings stay apart', async (t) => {
  expectAudioNull(t, ['vp8', 'avc1.42001E', 'vp09.00.10.08', 'av01.0.04M.08', 'hev1.1.6.L93.B0', '']);
  expectVideoNull(t, ['opus', 'mp4a.40.2', 'pcm-s16', 'mp3', '']);
});

t.test('level limits', async (t) => {
  const avc = (codec: string) => videoLevelLimits(parseVideoCodecString(codec)!);
  t.strictSame(avc('avc1.64001F'), { maxPictureSize: 3600 * 256, maxSampleRate: 108000 * 256, maxDimension: 169 * 16 });
  t.equal(avc('avc1.64001F')!.maxPictureSize, 921600, 'level 3.1 holds 3600 macroblocks');
  t.ok(1280 * 720 <= avc('avc1.64001F')!.maxPictureSize, '1280x720 fits level 3.1');
  t.ok(1280 * 720 > avc('avc1.64001E')!.maxPictureSize, '1280x720 does not fit level 3.0');
  // Level 1b: level_idc 11 with constraint_set3 in Baseline/Main/Extended, level_idc 9 in High.
  t.equal(avc('avc1.42F00B')!.maxSampleRate, 1485 * 256, 'Baseline level_idc 11 + constraint_set3 is 1b');
  t.equal(avc('avc1.640009')!.maxSampleRate, 1485 * 256, 'High level_idc 9 is 1b');
  t.equal(avc('avc1.64100B')!.maxSampleRate, 3000 * 256, 'High level_idc 11 stays 1.1');

  t.strictSame(videoLevelLimits(parseVideoCodecString('hev1.1.6.L93.B0')!), {
    maxPictureSize: 983040,
    maxSampleRate: 33177600,
    maxDimension: 2804,
  });
  t.strictSame(videoLevelLimits(parseVideoCodecString('vp09.00.41.08')!), {
    maxPictureSize: 2228224,
    maxSampleRate: 160432128,
    maxDimension: 4160,
  });
  t.strictSame(videoLevelLimits(parseVideoCodecString('av01.0.08M.08')!), {
    maxPictureSize: 2359296,
    maxSampleRate: 70778880,
    maxDimension: 6144,
  });
  t.equal(videoLevelLimits(parseVideoCodecString('av01.0.31M.08')!), null, 'AV1 maximum-parameters level');
  t.equal(videoLevelLimits(parseVideoCodecString('vp8')!), null, 'VP8 has no levels');
  t.equal(videoLevelLimits({ kind: 'avc', codec: '', profile: 66, constraints: 0, level: 14 }), null);
});

t.test('smallestFittingLevel', async (t) => {
  const cases: [Parameters<typeof smallestFittingLevel>, number | null][] = [
    [['avc', 1280, 720, 30], 31],
    [['avc', 640, 480, 30], 30],
    [['avc', 1920, 1080, 30], 40],
    [['avc', 1920, 1080, 60], 42],
    [['avc', 3840, 2160, 30], 51],
    [['avc', 7680, 4320, 30], 60],
    [['avc', 8192, 64, 1], 51], // bound by the Sqrt(8 * MaxFS) side limit, not the area
    [['avc', 176, 144, 15], 10],
    [['avc', 16384, 16384, 30], null],
    [['hevc', 1280, 720, 30], 93],
    [['hevc', 1920, 1080, 30], 120],
    [['hevc', 3840, 2160, 60], 153],
    [['vp9', 1280, 720, 30], 31],
    [['vp9', 1920, 1080, 30], 40],
    [['av1', 1280, 720, 30], 5],
    [['av1', 1920, 1080, 30], 8],
    [['av1', 1920, 1080, 60], 9],
    [['av1', 3840, 2160, 30], 12],
    [['av1', 16384, 16384, 30], null],
    [['avc', 0, 720, 30], null],
    [['avc', 1280, 720, 0], null],
    [['avc', 1280.5, 720, 30], null],
    [['avc', 1280, 720, Number.NaN], null],
    [['av1', 1280, 720, Number.POSITIVE_INFINITY], null],
  ];
  for (const [args, expected] of cases) t.equal(smallestFittingLevel(...args), expected, args.join(' '));
});

const avcFields = fc.record({
  prefix: fc.constantFrom('avc1', 'avc3'),
  profile: fc.constantFrom(...AVC_PROFILES),
  constraints: fc.integer({ min: 0, max: 255 }),
  level: fc.constantFrom(...AVC_LEVELS),
  upper: fc.boolean(),
});

const hevcFields = fc
  .record({
    prefix: fc.constantFrom('hev1', 'hvc1'),
    profileSpace: fc.integer({ min: 0, max: 3 }),
    profile: fc.constantFrom(...HEVC_PROFILES),
    compatibilityFlags: fc.integer({ min: 0, max: 0xffffffff }),
    padFlags: fc.boolean(),
    tier: fc.constantFrom('main' as const, 'high' as const),
    level: fc.constantFrom(...HEVC_LEVELS),
    constraints: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 }),
  })
  .filter((f) => f.tier === 'main' || f.level >= 120);

const vp9Profiles = [
  { profile: 0, bitDepths: [8], chroma: [0, 1] },
  { profile: 1, bitDepths: [8], chroma: [2, 3] },
  { profile: 2, bitDepths: [10, 12], chroma: [0, 1] },
  { profile: 3, bitDepths: [10, 12], chroma: [2, 3] },
];

const vp9Fields = fc.constantFrom(...vp9Profiles).chain((p) =>
  fc.record({
    profile: fc.constant(p.profile),
    level: fc.constantFrom(...VP9_LEVELS),
    bitDepth: fc.constantFrom(...p.bitDepths),
    colour: fc.option(
      fc
        .record({
          chromaSubsampling: fc.constantFrom(...p.chroma),
          colorPrimaries: fc.constantFrom(...COLOR_PRIMARIES),
          transferCharacteristics: fc.constantFrom(...TRANSFER_CHARACTERISTICS),
          matrixCoefficients: fc.constantFrom(...MATRIX_COEFFICIENTS),
          fullRange: fc.boolean(),
        })
        .filter((c) => c.matrixCoefficients !== 0 || c.chromaSubsampling === 3),
      { nil: undefined },
    ),
  }),
);

const av1Formats = [
  { profile: 0, bitDepths: [8, 10], subsampling: ['11'], monochrome: true },
  { profile: 1, bitDepths: [8, 10], subsampling: ['00'], monochrome: false },
  { profile: 2, bitDepths: [8, 10], subsampling: ['10'], monochrome: true },
  { profile: 2, bitDepths: [12], subsampling: ['11', '10', '00'], monochrome: true },
];

const av1Fields = fc.constantFrom(...av1Formats).chain((f) =>
  fc.record({
    profile: fc.constant(f.profile),
    level: fc.constantFrom(...AV1_LEVELS),
    highTier: fc.boolean(),
    bitDepth: fc.constantFrom(...f.bitDepths),
    colour: fc.option(
      fc
        .record({
          monochrome: f.monochrome ? fc.boolean() : fc.constant(false),
          subsampling: fc.constantFrom(...f.subsampling),
          samplePosition: fc.integer({ min: 0, max: 2 }),
          colorPrimaries: fc.constantFrom(...COLOR_PRIMARIES),
          transferCharacteristics: fc.constantFrom(...TRANSFER_CHARACTERISTICS),
          matrixCoefficients: fc.constantFrom(...MATRIX_COEFFICIENTS),
          fullRange: fc.boolean(),
        })
        .map((c) => {
          if (c.monochrome) return { ...c, chromaSubsampling: '110' };
          const position = c.subsampling === '11' ? c.samplePosition : 0;
          return { ...c, chromaSubsampling: `${c.subsampling}${position}` };
        })
        .filter((c) => c.matrixCoefficients !== 0 || c.chromaSubsampling === '000')
        // BT.709 primaries + sRGB transfer + identity matrix implies full range.
        .filter((c) => {
          const srgb = c.colorPrimaries === 1 && c.transferCharacteristics === 13 && c.matrixCoefficients === 0;
          return c.fullRange || !srgb;
        }),
      { nil: undefined },
    ),
  }),
);

// A parsed codec of the family at the level, to ask videoLevelLimits about.
function atLevel(kind: 'avc' | 'hevc' | 'vp9' | 'av1', level: number): ParsedVideoCodec {
  switch (kind) {
    case 'avc':
      return { kind, codec: '', profile: 100, constraints: 0, level };
    case 'hevc':
      return {
        kind,
        codec: '',
        profileSpace: 0,
        profile: 1,
        compatibilityFlags: 0,
        tier: 'main',
        level,
        constraints: [0],
      };
    case 'vp9':
      return { kind, codec: '', profile: 0, level, bitDepth: 8 };
    case 'av1':
      return { kind, codec: '', profile: 0, level, tier: 'main', bitDepth: 8 };
  }
}

t.test('properties', async (t) => {
  t.test('arbitrary strings never throw', async (t) => {
    // The last source draws from the characters codec strings are made of, to get near-misses.
    const codecAlphabet = fc.constantFrom(...'avc1hev.vp09av01LHM0123456789ABCDEFabcdef -');
    const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: codecAlphabet }));
    fc.assert(
      fc.property(anyString, (s) => {
        const video = parseVideoCodecString(s);
        const audio = parseAudioCodecString(s);
        return (video === null || video.codec === s) && (audio === null || audio.codec === s);
      }),
      { numRuns: 2000 },
    );
    t.pass('no string threw');
  });

  t.test('AVC strings built from valid fields round-trip', async (t) => {
    fc.assert(
      fc.property(avcFields, (f) => {
        const suffix = hex2(f.profile) + hex2(f.constraints) + hex2(f.level);
        const codec = `${f.prefix}.${f.upper ? suffix.toUpperCase() : suffix}`;
        deepStrictEqual(parseVideoCodecString(codec), {
          kind: 'avc',
          codec,
          profile: f.profile,
          constraints: f.constraints,
          level: f.level,
        });
      }),
    );
    t.pass('every AVC string round-tripped');
  });

  t.test('HEVC strings built from valid fields round-trip', async (t) => {
    fc.assert(
      fc.property(hevcFields, (f) => {
        const flags = f.compatibilityFlags.toString(16);
        const codec = [
          f.prefix,
          `${['', 'A', 'B', 'C'][f.profileSpace]}${f.profile}`,
          f.padFlags ? flags.padStart(8, '0') : flags,
          `${f.tier === 'main' ? 'L' : 'H'}${f.level}`,
          ...f.constraints.map((b) => b.toString(16)),
        ].join('.');
        deepStrictEqual(parseVideoCodecString(codec), {
          kind: 'hevc',
          codec,
          profileSpace: f.profileSpace,
          profile: f.profile,
          compatibilityFlags: f.compatibilityFlags,
          tier: f.tier,
          level: f.level,
          constraints: f.constraints,
        });
      }),
    );
    t.pass('every HEVC string round-tripped');
  });

  t.test('VP9 strings built from valid fields round-trip', async (t) => {
    fc.assert(
      fc.property(vp9Fields, (f) => {
        const base = `vp09.${dec2(f.profile)}.${dec2(f.level)}.${dec2(f.bitDepth)}`;
        const c = f.colour;
        const codec =
          c === undefined
            ? base
            : [
                base,
                ...[c.chromaSubsampling, c.colorPrimaries, c.transferCharacteristics, c.matrixCoefficients].map(dec2),
                c.fullRange ? '01' : '00',
              ].join('.');
        deepStrictEqual(parseVideoCodecString(codec), {
          kind: 'vp9',
          codec,
          profile: f.profile,
          level: f.level,
          bitDepth: f.bitDepth,
          ...c,
        });
      }),
    );
    t.pass('every VP9 string round-tripped');
  });

  t.test('AV1 strings built from valid fields round-trip', async (t) => {
    fc.assert(
      fc.property(av1Fields, (f) => {
        const tier = f.highTier && f.level > 7 ? 'high' : 'main';
        const base = `av01.${f.profile}.${dec2(f.level)}${tier === 'high' ? 'H' : 'M'}.${dec2(f.bitDepth)}`;
        const c = f.colour;
        const codec =
          c === undefined
            ? base
            : [
                base,
                c.monochrome ? '1' : '0',
                c.chromaSubsampling,
                ...[c.colorPrimaries, c.transferCharacteristics, c.matrixCoefficients].map(dec2),
                c.fullRange ? '1' : '0',
              ].join('.');
        const colour =
          c === undefined
            ? {}
            : {
                monochrome: c.monochrome,
                chromaSubsampling: c.chromaSubsampling,
                colorPrimaries: c.colorPrimaries,
                transferCharacteristics: c.transferCharacteristics,
                matrixCoefficients: c.matrixCoefficients,
                fullRange: c.fullRange,
              };
        deepStrictEqual(parseVideoCodecString(codec), {
          kind: 'av1',
          codec,
          profile: f.profile,
          level: f.level,
          tier,
          bitDepth: f.bitDepth,
          ...colour,
        });
      }),
    );
    t.pass('every AV1 string round-tripped');
  });

  t.test('one-character edits of valid strings never throw', async (t) => {
    const valid = fc.oneof(
      avcFields.map((f) => `${f.prefix}.${hex2(f.profile)}${hex2(f.constraints)}${hex2(f.level)}`),
      vp9Fields.map((f) => `vp09.${dec2(f.profile)}.${dec2(f.level)}.${dec2(f.bitDepth)}`),
      fc.constantFrom('hev1.1.6.L93.B0', 'av01.0.04M.10.0.112.09.16.09.0', 'mp4a.40.2', 'pcm-s16', 'opus'),
    );
    fc.assert(
      fc.property(valid, fc.nat(), fc.string({ minLength: 0, maxLength: 1 }), (s, at, insert) => {
        const i = at % (s.length + 1);
        for (const edited of [s.slice(0, i) + insert + s.slice(i), s.slice(0, i) + s.slice(i + 1)]) {
          const video = parseVideoCodecString(edited);
          const audio = parseAudioCodecString(edited);
          if (video !== null && video.codec !== edited) return false;
          if (audio !== null && audio.codec !== edited) return false;
        }
        return true;
      }),
      { numRuns: 1000 },
    );
    t.pass('no edit threw');
  });

  t.test('the smallest fitting level fits', async (t) => {
    const kinds = ['avc', 'hevc', 'vp9', 'av1'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.integer({ min: 1, max: 8192 }),
        fc.integer({ min: 1, max: 8192 }),
        fc.integer({ min: 1, max: 240 }),
        (kind, width, height, framerate) => {
          const level = smallestFittingLevel(kind, width, height, framerate);
          if (level === null) return true;
          const limits = videoLevelLimits(atLevel(kind, level));
          return (
            limits !== null &&
            width * height <= limits.maxPictureSize &&
            width * height * framerate <= limits.maxSampleRate &&
            Math.max(width, height) <= (limits.maxDimension ?? Infinity)
          );
        },
      ),
    );
    t.pass('every returned level admits its picture');
  });
});
