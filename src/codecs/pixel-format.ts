// The spec's "Pixel Format" section as data: every VideoPixelFormat's planes, bytes per sample
// and sub-sampling factors. The layout algorithms in video-frame-layout.ts read only this table,
// so a format's geometry is stated once.

export const VIDEO_PIXEL_FORMATS = [
  'I420',
  'I420P10',
  'I420P12',
  'I420A',
  'I420AP10',
  'I420AP12',
  'I422',
  'I422P10',
  'I422P12',
  'I422A',
  'I422AP10',
  'I422AP12',
  'I444',
  'I444P10',
  'I444P12',
  'I444A',
  'I444AP10',
  'I444AP12',
  'NV12',
  'RGBA',
  'RGBX',
  'BGRA',
  'BGRX',
] as const;

export type VideoPixelFormat = (typeof VIDEO_PIXEL_FORMATS)[number];

interface PlaneInfo {
  /** Bytes per sample: 1 for 8-bit, 2 for 10/12-bit (little-endian 16-bit), 2 for NV12's
   * interleaved UV pair, 4 for a packed RGB pixel. */
  readonly bytes: number;
  /** Horizontal and vertical sub-sampling factors relative to the full-resolution image. */
  readonly x: number;
  readonly y: number;
}

interface FormatInfo {
  readonly planes: readonly PlaneInfo[];
  readonly rgb: boolean;
  /** The spec's "equivalent opaque format" (the format itself when it has no alpha). */
  readonly opaque: VideoPixelFormat;
}

const FULL = (bytes: number): PlaneInfo => ({ bytes, x: 1, y: 1 });

/** Planar Y, U, V (and A, at luma resolution, when `opaque` names the alpha-less twin). */
function yuv(bytes: number, x: number, y: number, opaque: VideoPixelFormat, alpha: boolean): FormatInfo {
  const chroma: PlaneInfo = { bytes, x, y };
  const planes = alpha ? [FULL(bytes), chroma, chroma, FULL(bytes)] : [FULL(bytes), chroma, chroma];
  return { planes, rgb: false, opaque };
}

function packedRgb(opaque: VideoPixelFormat): FormatInfo {
  return { planes: [FULL(4)], rgb: true, opaque };
}

const FORMATS: Readonly<Record<VideoPixelFormat, FormatInfo>> = {
  I420: yuv(1, 2, 2, 'I420', false),
  I420P10: yuv(2, 2, 2, 'I420P10', false),
  I420P12: yuv(2, 2, 2, 'I420P12', false),
  I420A: yuv(1, 2, 2, 'I420', true),
  I420AP10: yuv(2, 2, 2, 'I420P10', true),
  I420AP12: yuv(2, 2, 2, 'I420P12', true),
  I422: yuv(1, 2, 1, 'I422', false),
  I422P10: yuv(2, 2, 1, 'I422P10', false),
  I422P12: yuv(2, 2, 1, 'I422P12', false),
  I422A: yuv(1, 2, 1, 'I422', true),
  I422AP10: yuv(2, 2, 1, 'I422P10', true),
  I422AP12: yuv(2, 2, 1, 'I422P12', true),
  I444: yuv(1, 1, 1, 'I444', false),
  I444P10: yuv(2, 1, 1, 'I444P10', false),
  I444P12: yuv(2, 1, 1, 'I444P12', false),
  I444A: yuv(1, 1, 1, 'I444', true),
  I444AP10: yuv(2, 1, 1, 'I444P10', true),
  I444AP12: yuv(2, 1, 1, 'I444P12', true),
  // Y, then one plane of interleaved U and V: each 2-byte sample covers 2x2 pixels.
  NV12: { planes: [FULL(1), { bytes: 2, x: 2, y: 2 }], rgb: false, opaque: 'NV12' },
  RGBA: packedRgb('RGBX'),
  RGBX: packedRgb('RGBX'),
  BGRA: packedRgb('BGRX'),
  BGRX: packedRgb('BGRX'),
};

/** The formats the native addon can hold: FFmpeg has no 4:2:0 12-bit-with-alpha pixel format
 * (there is no AV_PIX_FMT_YUVA420P12), so I420AP12 frames cannot be created. */
export const NATIVE_PIXEL_FORMATS: ReadonlySet<VideoPixelFormat> = new Set(
  VIDEO_PIXEL_FORMATS.filter((format) => format !== 'I420AP12'),
);

export function isVideoPixelFormat(x: unknown): x is VideoPixelFormat {
  return typeof x === 'string' && Object.hasOwn(FORMATS, x);
}

export function planeCount(format: VideoPixelFormat): number {
  return FORMATS[format].planes.length;
}

function planeOf(format: VideoPixelFormat, plane: number): PlaneInfo {
  const info = FORMATS[format].planes[plane];
  if (info === undefined) {
    throw new RangeError(`${format} has planes 0..${planeCount(format) - 1}; there is no plane ${plane}`);
  }
  return info;
}

export function sampleBytes(format: VideoPixelFormat, plane: number): number {
  return planeOf(format, plane).bytes;
}

/** The plane's sub-sampling factors: how many image pixels one sample spans horizontally (x)
 * and vertically (y). */
export function subsampling(format: VideoPixelFormat, plane: number): { x: number; y: number } {
  const { x, y } = planeOf(format, plane);
  return { x, y };
}

/** The spec's "RGB Format": red, green and blue channels, with or without alpha. */
export function isRgbFormat(format: VideoPixelFormat): boolean {
  return FORMATS[format].rgb;
}

export function hasAlpha(format: VideoPixelFormat): boolean {
  return FORMATS[format].opaque !== format;
}

/** The spec's "equivalent opaque format", used when a frame is created with alpha: 'discard'. */
export function equivalentOpaqueFormat(format: VideoPixelFormat): VideoPixelFormat {
  return FORMATS[format].opaque;
}
