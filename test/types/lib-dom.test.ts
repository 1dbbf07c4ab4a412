// The package's WebCodecs types against TypeScript's lib.dom ones (the global names below, used
// without an import, are lib.dom's): dictionaries assign both ways, so browser code's objects go
// into this package and its objects come back out as lib.dom types; instances of the classes are
// usable where lib.dom's are expected; the constructors can stand in for lib.dom's globals.
//
// Known differences are marked with @ts-expect-error, so that each assertion flips to a compile
// error ("unused directive") the day the difference goes away: "lib.dom gap": lib.dom (TypeScript
// 5.9) predates spec values this package has (high bit depth pixel formats, BT.2020/PQ/HLG
// colour); a type that can carry them cannot be assigned to lib.dom's. Each such assertion is
// followed by one that holds with those values left out. (The package's own mismatches this test
// found, SharedArrayBuffer sources and ondequeue's `this`, are fixed.)
//
// `tsc -p test/types` checks the assertions (the tap test at the end runs it); at run time
// expectTypeOf does nothing.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectTypeOf } from 'expect-type';
import type * as wcs from 'webcodecs-streams';

// --- the lib.dom gap, exactly ------------------------------------------------------------------

type Primaries = NonNullable<wcs.VideoColorSpaceInit['primaries']>;
type Transfer = NonNullable<wcs.VideoColorSpaceInit['transfer']>;
type Matrix = NonNullable<wcs.VideoColorSpaceInit['matrix']>;
type SpecOnlyPixelFormat = Exclude<wcs.VideoPixelFormat, VideoPixelFormat>;
type SpecOnly = SpecOnlyPixelFormat | Exclude<Primaries, VideoColorPrimaries> | Exclude<Transfer, VideoTransferCharacteristics> | Exclude<Matrix, VideoMatrixCoefficients>;

expectTypeOf<VideoPixelFormat>().toExtend<wcs.VideoPixelFormat>();
expectTypeOf<SpecOnlyPixelFormat>().toEqualTypeOf<
  'I420P10' | 'I420P12' | 'I420AP10' | 'I420AP12' | 'I422P10' | 'I422P12' | 'I422A' | 'I422AP10' | 'I422AP12' | 'I444P10' | 'I444P12' | 'I444A' | 'I444AP10' | 'I444AP12'
>();
expectTypeOf<VideoColorPrimaries>().toExtend<Primaries>();
expectTypeOf<Exclude<Primaries, VideoColorPrimaries>>().toEqualTypeOf<'bt2020' | 'smpte432'>();
expectTypeOf<VideoTransferCharacteristics>().toExtend<Transfer>();
expectTypeOf<Exclude<Transfer, VideoTransferCharacteristics>>().toEqualTypeOf<'linear' | 'pq' | 'hlg'>();
expectTypeOf<VideoMatrixCoefficients>().toExtend<Matrix>();
expectTypeOf<Exclude<Matrix, VideoMatrixCoefficients>>().toEqualTypeOf<'bt2020-ncl'>();

/** A dictionary as lib.dom can describe it: the spec-only enum values left out. */
type DomView<T> = T extends string
  ? Exclude<T, SpecOnly>
  : T extends ArrayBufferLike | ArrayBufferView | ((...args: never[]) => unknown)
    ? T
    : T extends object
      ? { [K in keyof T]: DomView<T[K]> }
      : T;

// --- dictionaries: lib.dom -> package (what browser code passes in) ------------------------------

expectTypeOf<VideoEncoderConfig>().toExtend<wcs.VideoEncoderConfig>();
expectTypeOf<VideoDecoderConfig>().toExtend<wcs.VideoDecoderConfig>();
expectTypeOf<Omit<VideoDecoderConfig, 'description'>>().toExtend<Omit<wcs.VideoDecoderConfig, 'description'>>();
// lib.dom gap: lib.dom's output callbacks cannot take this package's frames and metadata.
// @ts-expect-error
expectTypeOf<VideoEncoderInit>().toExtend<wcs.VideoEncoderInit>();
// @ts-expect-error
expectTypeOf<VideoDecoderInit>().toExtend<wcs.VideoDecoderInit>();
expectTypeOf<VideoEncoderInit['error']>().toExtend<wcs.VideoEncoderInit['error']>();
expectTypeOf<VideoEncoderEncodeOptions>().toExtend<wcs.VideoEncoderEncodeOptions>();
expectTypeOf<EncodedVideoChunkInit>().toExtend<wcs.EncodedVideoChunkInit>();
expectTypeOf<Omit<EncodedVideoChunkInit, 'data'> & { data: ArrayBuffer }>().toExtend<wcs.EncodedVideoChunkInit>();
expectTypeOf<VideoFrameBufferInit>().toExtend<wcs.VideoFrameBufferInit>();
expectTypeOf<VideoFrameInit>().toExtend<wcs.VideoFrameInit>();
expectTypeOf<VideoFrameCopyToOptions>().toExtend<wcs.VideoFrameCopyToOptions>();
expectTypeOf<PlaneLayout>().toExtend<wcs.PlaneLayout>();
expectTypeOf<VideoColorSpaceInit>().toExtend<wcs.VideoColorSpaceInit>();
expectTypeOf<AudioEncoderConfig>().toExtend<wcs.AudioEncoderConfig>();
expectTypeOf<AudioDecoderConfig>().toExtend<wcs.AudioDecoderConfig>();
expectTypeOf<Omit<AudioDecoderConfig, 'description'>>().toExtend<Omit<wcs.AudioDecoderConfig, 'description'>>();
expectTypeOf<AudioEncoderInit>().toExtend<wcs.AudioEncoderInit>();
expectTypeOf<AudioDecoderInit>().toExtend<wcs.AudioDecoderInit>();
expectTypeOf<AudioDataInit>().toExtend<wcs.AudioDataInit>();
expectTypeOf<AudioDataCopyToOptions>().toExtend<wcs.AudioDataCopyToOptions>();
expectTypeOf<EncodedAudioChunkInit>().toExtend<wcs.EncodedAudioChunkInit>();
expectTypeOf<AudioSampleFormat>().toExtend<wcs.AudioSampleFormat>();
expectTypeOf<ImageDecoderInit>().toExtend<wcs.ImageDecoderInit>();
expectTypeOf<ImageDecodeOptions>().toExtend<wcs.ImageDecodeOptions>();

// --- dictionaries: package -> lib.dom (what this package hands back) ----------------------------

expectTypeOf<wcs.VideoEncoderConfig>().toExtend<VideoEncoderConfig>();
expectTypeOf<DomView<wcs.VideoDecoderConfig>>().toExtend<VideoDecoderConfig>();
expectTypeOf<wcs.VideoEncoderSupport>().toExtend<VideoEncoderSupport>();
expectTypeOf<DomView<wcs.VideoDecoderSupport>>().toExtend<VideoDecoderSupport>();
expectTypeOf<DomView<wcs.EncodedVideoChunkMetadata>>().toExtend<EncodedVideoChunkMetadata>();
expectTypeOf<wcs.EncodedVideoChunkInit>().toExtend<EncodedVideoChunkInit>();
expectTypeOf<DomView<wcs.VideoFrameBufferInit>>().toExtend<VideoFrameBufferInit>();
expectTypeOf<wcs.VideoFrameInit>().toExtend<VideoFrameInit>();
expectTypeOf<DomView<wcs.VideoColorSpaceInit>>().toExtend<VideoColorSpaceInit>();
expectTypeOf<DomView<wcs.VideoPixelFormat>>().toEqualTypeOf<VideoPixelFormat>();
expectTypeOf<wcs.CodecState>().toEqualTypeOf<CodecState>();
expectTypeOf<wcs.EncodedVideoChunkType>().toEqualTypeOf<EncodedVideoChunkType>();
expectTypeOf<wcs.AlphaOption>().toEqualTypeOf<AlphaOption>();
expectTypeOf<wcs.AudioEncoderConfig>().toExtend<AudioEncoderConfig>();
expectTypeOf<wcs.AudioDecoderConfig>().toExtend<AudioDecoderConfig>();
expectTypeOf<wcs.AudioEncoderSupport>().toExtend<AudioEncoderSupport>();
expectTypeOf<wcs.AudioDecoderSupport>().toExtend<AudioDecoderSupport>();
expectTypeOf<wcs.EncodedAudioChunkMetadata>().toExtend<EncodedAudioChunkMetadata>();
expectTypeOf<wcs.AudioSampleFormat>().toEqualTypeOf<AudioSampleFormat>();
expectTypeOf<wcs.ImageDecoderInit>().toExtend<ImageDecoderInit>();
expectTypeOf<wcs.ColorSpaceConversion>().toEqualTypeOf<ColorSpaceConversion>();
// lib.dom gap: the image is a VideoFrame.
// @ts-expect-error
expectTypeOf<wcs.ImageDecodeResult>().toExtend<ImageDecodeResult>();
expectTypeOf<wcs.ImageDecodeResult['complete']>().toEqualTypeOf<ImageDecodeResult['complete']>();

// --- instances: usable where lib.dom's types are expected ----------------------------------------

expectTypeOf<wcs.VideoEncoder['ondequeue']>().toExtend<VideoEncoder['ondequeue']>();
// lib.dom gap: encode() takes this package's VideoFrame.
// @ts-expect-error
expectTypeOf<wcs.VideoEncoder>().toExtend<VideoEncoder>();
expectTypeOf<Omit<wcs.VideoEncoder, 'encode' | 'ondequeue'>>().toExtend<Omit<VideoEncoder, 'encode' | 'ondequeue'>>();
expectTypeOf<wcs.VideoDecoder>().toExtend<VideoDecoder>();
expectTypeOf<Omit<wcs.VideoDecoder, 'ondequeue' | 'configure'>>().toExtend<Omit<VideoDecoder, 'ondequeue' | 'configure'>>();
// lib.dom gap: format and colorSpace (and clone(), which returns one).
// @ts-expect-error
expectTypeOf<wcs.VideoFrame>().toExtend<VideoFrame>();
expectTypeOf<Omit<wcs.VideoFrame, 'format' | 'colorSpace' | 'clone'>>().toExtend<Omit<VideoFrame, 'format' | 'colorSpace' | 'clone'>>();
expectTypeOf<DomView<wcs.VideoFrame['format']>>().toEqualTypeOf<VideoFrame['format']>();
// lib.dom gap: primaries, transfer, matrix.
// @ts-expect-error
expectTypeOf<wcs.VideoColorSpace>().toExtend<VideoColorSpace>();
expectTypeOf<DomView<ReturnType<wcs.VideoColorSpace['toJSON']>>>().toExtend<ReturnType<VideoColorSpace['toJSON']>>();
expectTypeOf<wcs.EncodedVideoChunk>().toExtend<EncodedVideoChunk>();
expectTypeOf<wcs.AudioEncoder>().toExtend<AudioEncoder>();
expectTypeOf<Omit<wcs.AudioEncoder, 'ondequeue'>>().toExtend<Omit<AudioEncoder, 'ondequeue'>>();
expectTypeOf<wcs.AudioDecoder>().toExtend<AudioDecoder>();
expectTypeOf<Omit<wcs.AudioDecoder, 'ondequeue'>>().toExtend<Omit<AudioDecoder, 'ondequeue'>>();
expectTypeOf<wcs.AudioData>().toExtend<AudioData>();
expectTypeOf<wcs.EncodedAudioChunk>().toExtend<EncodedAudioChunk>();
// lib.dom gap: decode() resolves with a VideoFrame.
// @ts-expect-error
expectTypeOf<wcs.ImageDecoder>().toExtend<ImageDecoder>();
expectTypeOf<Omit<wcs.ImageDecoder, 'decode'>>().toExtend<Omit<ImageDecoder, 'decode'>>();
expectTypeOf<wcs.ImageTrackList>().toExtend<ImageTrackList>();
expectTypeOf<wcs.ImageTrack>().toExtend<ImageTrack>();

// --- constructors: assignable to lib.dom's globals (what webcodecs-streams/global installs) ------

// lib.dom gap, through the instances' types.
// @ts-expect-error
expectTypeOf<typeof wcs.VideoEncoder>().toExtend<typeof VideoEncoder>();
expectTypeOf<typeof wcs.VideoEncoder>().toExtend<new (init: VideoEncoderInit & wcs.VideoEncoderInit) => unknown>();
expectTypeOf<(typeof wcs.VideoEncoder)['isConfigSupported']>().parameter(0).toEqualTypeOf<wcs.VideoEncoderConfig>();
// lib.dom gap: isConfigSupported() resolves with a config whose colorSpace can hold spec-only values.
// @ts-expect-error
expectTypeOf<typeof wcs.VideoDecoder>().toExtend<typeof VideoDecoder>();
expectTypeOf<typeof wcs.VideoDecoder>().toExtend<new (init: VideoDecoderInit & wcs.VideoDecoderInit) => unknown>();
// Node has no canvas: the constructor takes a VideoFrame or pixels, not every CanvasImageSource.
// @ts-expect-error
expectTypeOf<typeof wcs.VideoFrame>().toExtend<typeof VideoFrame>();
expectTypeOf<typeof wcs.VideoFrame>().toExtend<new (data: AllowSharedBufferSource, init: VideoFrameBufferInit) => unknown>();
expectTypeOf<typeof wcs.VideoFrame>().toExtend<new (data: ArrayBuffer | ArrayBufferView, init: VideoFrameBufferInit) => unknown>();
// lib.dom gap.
// @ts-expect-error
expectTypeOf<typeof wcs.VideoColorSpace>().toExtend<typeof VideoColorSpace>();
expectTypeOf<typeof wcs.EncodedVideoChunk>().toExtend<new (init: wcs.EncodedVideoChunkInit) => EncodedVideoChunk>();
expectTypeOf<typeof wcs.AudioEncoder>().toExtend<typeof AudioEncoder>();
expectTypeOf<typeof wcs.AudioDecoder>().toExtend<typeof AudioDecoder>();
expectTypeOf<typeof wcs.AudioData>().toExtend<typeof AudioData>();
expectTypeOf<typeof wcs.EncodedAudioChunk>().toExtend<new (init: wcs.EncodedAudioChunkInit) => EncodedAudioChunk>();
// lib.dom gap: decode() resolves with a VideoFrame.
// @ts-expect-error
expectTypeOf<typeof wcs.ImageDecoder>().toExtend<typeof ImageDecoder>();
expectTypeOf<typeof wcs.ImageDecoder>().toExtend<new (init: ImageDecoderInit) => unknown>();
expectTypeOf<(typeof wcs.ImageDecoder)['isTypeSupported']>().toEqualTypeOf<(typeof ImageDecoder)['isTypeSupported']>();

// --- non-standard additions stay out of the standard classes --------------------------------------

expectTypeOf<wcs.VideoEncoder>().not.toHaveProperty('readable');
expectTypeOf<wcs.VideoDecoder>().not.toHaveProperty('writable');
expectTypeOf<typeof import('webcodecs-streams')>().toHaveProperty('VideoEncoderStream');
expectTypeOf<typeof import('webcodecs-streams')>().toHaveProperty('getLiveCounters');

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test("the package's types agree with lib.dom (tsc -p test/types)", async (t) => {
  t.ok(existsSync(join(root, 'dist', 'index.d.ts')), 'dist/index.d.ts exists (npm run build:ts)');
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'test', 'types')], { cwd: root, encoding: 'utf8' });
  t.equal(result.stdout + result.stderr, '', 'no type errors');
  t.equal(result.status, 0);
});
