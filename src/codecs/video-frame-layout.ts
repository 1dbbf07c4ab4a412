// The pure half of VideoFrame: the spec's rect, layout and init-validation algorithms, run
// before any pixel is touched. The VideoFrame class hands the results to the native addon, which
// only copies bytes where these functions say.

import {
  isRgbFormat,
  isVideoPixelFormat,
  planeCount,
  sampleBytes,
  subsampling,
  type VideoPixelFormat,
} from './pixel-format.js';
import { pickDefaultColorSpace, VideoColorSpace, type VideoColorSpaceInit } from './video-color-space.js';
import { enforceRange, enforceUnsignedLong, requireDictionary } from './webidl.js';

const MAX_UNSIGNED_LONG = 0xffffffff;

export interface DOMRectInit {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
}

/** A parsed rect: integral, non-empty and inside the coded size. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlaneLayout {
  offset: number;
  stride: number;
}

/** The spec's "computed plane layout". */
export interface ComputedPlaneLayout {
  destinationOffset: number;
  destinationStride: number;
  sourceTop: number;
  sourceHeight: number;
  sourceLeftBytes: number;
  sourceWidthBytes: number;
}

/** What the native copy does per plane: copy `rows` rows of `rowBytes` bytes starting at byte
 * `srcX` of row `srcY` of plane `plane` to dest at dstOffset + row*dstStride. */
export interface RowCopy {
  plane: number;
  srcX: number;
  srcY: number;
  rowBytes: number;
  rows: number;
  dstOffset: number;
  dstStride: number;
}

export type PredefinedColorSpace = 'srgb' | 'display-p3';

/** Spec "VideoFrameMetadata": members come from the VideoFrame Metadata Registry. */
export type VideoFrameMetadata = Record<string, unknown>;

export interface VideoFrameBufferInit {
  format: VideoPixelFormat;
  codedWidth: number;
  codedHeight: number;
  /** Microseconds. */
  timestamp: number;
  /** Microseconds. */
  duration?: number;
  /** Default layout is tightly packed. */
  layout?: PlaneLayout[];
  /** Default visible rect is the coded size positioned at (0, 0). */
  visibleRect?: DOMRectInit;
  rotation?: number;
  flip?: boolean;
  /** Default display dimensions match visibleRect. */
  displayWidth?: number;
  displayHeight?: number;
  colorSpace?: VideoColorSpaceInit;
  transfer?: ArrayBuffer[];
  metadata?: VideoFrameMetadata;
}

export interface VideoFrameCopyToOptions {
  rect?: DOMRectInit;
  layout?: PlaneLayout[];
  format?: VideoPixelFormat;
  colorSpace?: PredefinedColorSpace;
}

const PREDEFINED_COLOR_SPACES: readonly string[] = ['srgb', 'display-p3'] satisfies PredefinedColorSpace[];

// ---------------------------------------------------------------------------------------------
// WebIDL conversions. Dictionary members are converted in lexicographic order before the spec
// algorithm runs, so conversion errors come first, in that order.

/** DOMRectInit: unrestricted doubles defaulting to 0. ToNumber lets NaN and Infinity through
 * (Parse Visible Rect rejects them) and throws TypeError for BigInt and Symbol values. */
function convertDOMRectInit(value: unknown, name: string): Required<DOMRectInit> {
  const dict = requireDictionary(value, name);
  const num = (v: unknown): number => (v === undefined ? 0 : +(v as number));
  const height = num(dict.height);
  const width = num(dict.width);
  const x = num(dict.x);
  const y = num(dict.y);
  return { x, y, width, height };
}

/** sequence<PlaneLayout>, each member a required [EnforceRange] unsigned long. */
function convertPlaneLayouts(value: unknown, name: string): PlaneLayout[] {
  if (typeof value !== 'object' || value === null || !(Symbol.iterator in value)) {
    throw new TypeError(`${name} must be a sequence of {offset, stride} plane layouts`);
  }
  return Array.from(value as Iterable<unknown>, (entry, i) => {
    const dict = requireDictionary(entry, `${name}[${i}]`);
    if (dict.offset === undefined) throw new TypeError(`${name}[${i}].offset is required`);
    const offset = enforceUnsignedLong(dict.offset, `${name}[${i}].offset`);
    if (dict.stride === undefined) throw new TypeError(`${name}[${i}].stride is required`);
    const stride = enforceUnsignedLong(dict.stride, `${name}[${i}].stride`);
    return { offset, stride };
  });
}

function convertPixelFormat(value: unknown, name: string): VideoPixelFormat {
  const format = String(value);
  if (!isVideoPixelFormat(format)) {
    throw new TypeError(`${name} must be a VideoPixelFormat such as 'I420', 'NV12' or 'RGBA' (got '${format}')`);
  }
  return format;
}

function requiredMember(dict: Record<string, unknown>, member: string, dictionary: string): unknown {
  const value = dict[member];
  if (value === undefined) throw new TypeError(`${dictionary}.${member} is required`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Spec algorithms.

/** Spec "Verify Rect Offset Alignment", returning why the rect fails (null when aligned) so the
 * TypeError can say how to fix it. `defaulted` says the rect was not given but defaulted, so the
 * fix is to pass one. */
function rectOffsetMisalignment(format: VideoPixelFormat, rect: Rect, name: string, defaulted: boolean): string | null {
  for (let planeIndex = 0; planeIndex < planeCount(format); planeIndex++) {
    const { x: sampleWidth, y: sampleHeight } = subsampling(format, planeIndex);
    const bad =
      rect.x % sampleWidth !== 0
        ? { key: 'x', value: rect.x, factor: sampleWidth, direction: 'horizontally' }
        : rect.y % sampleHeight !== 0
          ? { key: 'y', value: rect.y, factor: sampleHeight, direction: 'vertically' }
          : null;
    if (bad === null) continue;
    const why = `must be a multiple of ${bad.factor} for ${format}, whose plane ${planeIndex} is sub-sampled ${bad.factor}x ${bad.direction}`;
    return defaulted
      ? `the default ${name} (${describeRect(rect)}) has ${bad.key} ${bad.value}, which ${why}; ` +
          `pass a ${name} whose ${bad.key} is a multiple of ${bad.factor}`
      : `${name}.${bad.key} (${bad.value}) ${why}; round ${bad.key} to a multiple of ${bad.factor}`;
  }
  return null;
}

/**
 * Spec "Parse Visible Rect" + "Verify Rect Offset Alignment": TypeError (with a message that says
 * what to fix) for rects that are not finite, negative, empty, outside the coded size, or break
 * sub-sampling alignment.
 *
 * The override's values are truncated to integers, as the spec does for every DOMRectInit a
 * VideoFrame receives, and the emptiness and bounds checks apply to the truncated values: those
 * are the pixels actually addressed (a width of 0.5 would otherwise pass the non-zero check and
 * select no pixels). `name` only labels error messages.
 */
export function parseVisibleRect(
  defaultRect: Rect,
  overrideRect: DOMRectInit | undefined,
  codedWidth: number,
  codedHeight: number,
  format: VideoPixelFormat,
  name = 'visibleRect',
): Rect {
  let sourceRect = defaultRect;
  if (overrideRect !== undefined) {
    const raw = convertDOMRectInit(overrideRect, name);
    for (const key of ['x', 'y', 'width', 'height'] as const) {
      if (!Number.isFinite(raw[key]) || raw[key] < 0) {
        throw new TypeError(`${name}.${key} must be a finite, non-negative number (got ${raw[key]})`);
      }
    }
    const rect: Rect = {
      x: Math.trunc(raw.x),
      y: Math.trunc(raw.y),
      width: Math.trunc(raw.width),
      height: Math.trunc(raw.height),
    };
    if (rect.width === 0 || rect.height === 0) {
      throw new TypeError(
        `${name} must not be empty: width and height must be at least 1 after truncation (got ${rect.width}x${rect.height})`,
      );
    }
    if (rect.x + rect.width > codedWidth) {
      throw new TypeError(
        `${name} extends past the coded width: x + width = ${rect.x + rect.width} > codedWidth ${codedWidth}; ` +
          'move the rect left or make it narrower',
      );
    }
    if (rect.y + rect.height > codedHeight) {
      throw new TypeError(
        `${name} extends past the coded height: y + height = ${rect.y + rect.height} > codedHeight ${codedHeight}; ` +
          'move the rect up or make it shorter',
      );
    }
    sourceRect = rect;
  }
  const misalignment = rectOffsetMisalignment(format, sourceRect, name, overrideRect === undefined);
  if (misalignment !== null) throw new TypeError(misalignment);
  return sourceRect;
}

function describeRect(rect: Rect): string {
  return `x ${rect.x}, y ${rect.y}, ${rect.width}x${rect.height}`;
}

/**
 * Spec "Compute Layout and Allocation Size" for (rect, format, optional layout): throws TypeError
 * for bad layouts (wrong plane count, overlapping planes, strides shorter than a row, planes
 * ending past the unsigned long range).
 *
 * Sub-sampled plane widths round up, like their heights: the spec text says "integer division"
 * for sourceWidthBytes, but its Pixel Format section gives chroma rows ceil(width / 2) samples,
 * and browsers and the web-platform tests round up (w3c/webcodecs#897).
 */
export function computeLayoutAndAllocationSize(
  rect: Rect,
  format: VideoPixelFormat,
  layout?: PlaneLayout[],
): { allocationSize: number; layout: ComputedPlaneLayout[] } {
  const numPlanes = planeCount(format);
  if (layout !== undefined && layout.length !== numPlanes) {
    throw new TypeError(
      `layout has ${layout.length} plane(s) but ${format} has ${numPlanes}; give one {offset, stride} per plane`,
    );
  }
  let minAllocationSize = 0;
  const computedLayouts: ComputedPlaneLayout[] = [];
  const endOffsets: number[] = [];
  for (let planeIndex = 0; planeIndex < numPlanes; planeIndex++) {
    const bytes = sampleBytes(format, planeIndex);
    const { x: sampleWidth, y: sampleHeight } = subsampling(format, planeIndex);
    const sourceWidthBytes = Math.ceil(Math.trunc(rect.width) / sampleWidth) * bytes;
    const computedLayout: ComputedPlaneLayout = {
      destinationOffset: 0,
      destinationStride: 0,
      sourceTop: Math.ceil(Math.trunc(rect.y) / sampleHeight),
      sourceHeight: Math.ceil(Math.trunc(rect.height) / sampleHeight),
      sourceLeftBytes: Math.floor(Math.trunc(rect.x) / sampleWidth) * bytes,
      sourceWidthBytes,
    };
    const planeLayout = layout?.[planeIndex];
    if (planeLayout !== undefined) {
      if (planeLayout.stride < sourceWidthBytes) {
        throw new TypeError(
          `layout[${planeIndex}].stride (${planeLayout.stride}) is shorter than one ${sourceWidthBytes}-byte row of ` +
            `${format} plane ${planeIndex}; use a stride of at least ${sourceWidthBytes}`,
        );
      }
      computedLayout.destinationOffset = planeLayout.offset;
      computedLayout.destinationStride = planeLayout.stride;
    } else {
      // No explicit layout: planes are tightly packed, one after another.
      computedLayout.destinationOffset = minAllocationSize;
      computedLayout.destinationStride = sourceWidthBytes;
    }
    const planeSize = computedLayout.destinationStride * computedLayout.sourceHeight;
    const planeEnd = planeSize + computedLayout.destinationOffset;
    if (planeSize > MAX_UNSIGNED_LONG || planeEnd > MAX_UNSIGNED_LONG) {
      throw new TypeError(
        `${format} plane ${planeIndex} would end at byte ${planeEnd}, beyond the 4 GiB (unsigned long) limit; ` +
          'use a smaller rect, stride or offset',
      );
    }
    endOffsets.push(planeEnd);
    // A maximum, not the last end: explicit offsets may put the planes in any order.
    minAllocationSize = Math.max(minAllocationSize, planeEnd);
    for (let earlierPlaneIndex = 0; earlierPlaneIndex < planeIndex; earlierPlaneIndex++) {
      const earlierLayout = computedLayouts[earlierPlaneIndex]!;
      const earlierEnd = endOffsets[earlierPlaneIndex]!;
      // If one plane ends before the other starts, they do not overlap.
      if (planeEnd <= earlierLayout.destinationOffset || earlierEnd <= computedLayout.destinationOffset) continue;
      throw new TypeError(
        `layout planes ${earlierPlaneIndex} (bytes ${earlierLayout.destinationOffset}..${earlierEnd}) and ` +
          `${planeIndex} (bytes ${computedLayout.destinationOffset}..${planeEnd}) overlap; move one of them`,
      );
    }
    computedLayouts.push(computedLayout);
  }
  return { allocationSize: minAllocationSize, layout: computedLayouts };
}

/** Spec "Parse Rotation": the nearest multiple of 90 (ties towards +Infinity), in [0, 360). */
export function parseRotation(rotation: number): number {
  const alignedRotation = Math.floor(rotation / 90 + 0.5) * 90;
  const fullTurns = Math.floor(alignedRotation / 360) * 360;
  return alignedRotation - fullTurns + 0; // + 0 turns -0 into 0
}

/**
 * The VideoFrame(data, init) steps up to the buffer-size check: WebIDL conversion of the init,
 * "valid VideoFrameBufferInit", Parse Visible Rect, Compute Layout and Allocation Size and the
 * data.byteLength check, all TypeError; then the frame's display size (steps 21.4-21.7) and
 * colour space (Pick Color Space). `planes` are the plane offsets and strides in `data`: the
 * init's layout, or the tightly packed default.
 *
 * `data` holds the whole coded frame, and the layout is computed over the coded rect, not the
 * visible rect the spec's step 9 passes: the visible rect is a window into that coded frame (as
 * in Chromium), which is what a frame copied out with `copyTo(buf, {rect: frame.codedRect})` and
 * rebuilt with the same codedWidth/codedHeight/visibleRect needs. The spec's step 2 default rect
 * has height codedWidth, an evident typo for codedHeight.
 *
 * `transfer` and `metadata` are left to the caller (they concern the buffer and a structured
 * clone, not the layout).
 */
export function validateBufferInit(
  init: VideoFrameBufferInit,
  byteLength: number,
): {
  format: VideoPixelFormat;
  codedWidth: number;
  codedHeight: number;
  visibleRect: Rect;
  displayWidth: number;
  displayHeight: number;
  planes: PlaneLayout[];
  timestamp: number;
  duration: number | undefined;
  rotation: number;
  flip: boolean;
  colorSpace: VideoColorSpace;
} {
  const dict = requireDictionary(init, 'VideoFrameBufferInit');
  const codedHeight = enforceUnsignedLong(requiredMember(dict, 'codedHeight', 'VideoFrameBufferInit'), 'codedHeight');
  const codedWidth = enforceUnsignedLong(requiredMember(dict, 'codedWidth', 'VideoFrameBufferInit'), 'codedWidth');
  const colorSpace = dict.colorSpace === undefined ? undefined : new VideoColorSpace(dict.colorSpace as VideoColorSpaceInit);
  const displayHeight = dict.displayHeight === undefined ? undefined : enforceUnsignedLong(dict.displayHeight, 'displayHeight');
  const displayWidth = dict.displayWidth === undefined ? undefined : enforceUnsignedLong(dict.displayWidth, 'displayWidth');
  const duration = dict.duration === undefined ? undefined : enforceRange(dict.duration, 'duration', 0);
  const flip = dict.flip === undefined ? false : Boolean(dict.flip);
  const format = convertPixelFormat(requiredMember(dict, 'format', 'VideoFrameBufferInit'), 'format');
  const layout = dict.layout === undefined ? undefined : convertPlaneLayouts(dict.layout, 'layout');
  const rotationValue = dict.rotation === undefined ? 0 : +(dict.rotation as number);
  if (!Number.isFinite(rotationValue)) throw new TypeError(`rotation must be a finite number (got ${rotationValue})`);
  const timestamp = enforceRange(requiredMember(dict, 'timestamp', 'VideoFrameBufferInit'), 'timestamp');

  // "valid VideoFrameBufferInit" (its visibleRect checks are Parse Visible Rect's).
  if (codedWidth === 0 || codedHeight === 0) {
    throw new TypeError(`codedWidth and codedHeight must be at least 1 (got ${codedWidth}x${codedHeight})`);
  }
  if ((displayWidth === undefined) !== (displayHeight === undefined)) {
    throw new TypeError('displayWidth and displayHeight must be given together, or neither');
  }
  if (displayWidth === 0 || displayHeight === 0) {
    throw new TypeError(`displayWidth and displayHeight must be at least 1 (got ${displayWidth}x${displayHeight})`);
  }

  const codedRect: Rect = { x: 0, y: 0, width: codedWidth, height: codedHeight };
  const visibleRect = parseVisibleRect(
    codedRect,
    dict.visibleRect as DOMRectInit | undefined,
    codedWidth,
    codedHeight,
    format,
  );
  const combinedLayout = computeLayoutAndAllocationSize(codedRect, format, layout);
  if (byteLength < combinedLayout.allocationSize) {
    throw new TypeError(
      `data is ${byteLength} bytes but a ${codedWidth}x${codedHeight} ${format} frame with this layout needs ` +
        `${combinedLayout.allocationSize}`,
    );
  }

  const rotation = parseRotation(rotationValue);
  let display: { width: number; height: number };
  if (displayWidth !== undefined && displayHeight !== undefined) {
    display = { width: displayWidth, height: displayHeight };
  } else if (rotation === 0 || rotation === 180) {
    display = { width: visibleRect.width, height: visibleRect.height };
  } else {
    display = { width: visibleRect.height, height: visibleRect.width };
  }

  return {
    format,
    codedWidth,
    codedHeight,
    visibleRect,
    displayWidth: display.width,
    displayHeight: display.height,
    planes: combinedLayout.layout.map((plane) => ({ offset: plane.destinationOffset, stride: plane.destinationStride })),
    timestamp,
    duration,
    rotation,
    flip,
    colorSpace: pickDefaultColorSpace(format, colorSpace),
  };
}

/**
 * Spec "Parse VideoFrameCopyToOptions" given the frame's format, coded size and visible rect:
 * returns the rect, the destination format, the layout and the row copies for the native copy.
 *
 * options.format must be a VideoPixelFormat and options.colorSpace a PredefinedColorSpace
 * (TypeError otherwise, as WebIDL enum conversion does); a valid format other than RGBA, RGBX,
 * BGRA or BGRX is a NotSupportedError, as the spec's step 10 says.
 *
 * `colorSpace` is the target colour space of spec copyTo step 6 (default 'srgb') when
 * options.format is given, else null. With options.format the pixels are converted (also to the
 * frame's own format: RGBX/BGRX come out opaque, and the colour space is the requested one):
 * `rowCopies` is then empty and the caller converts `rect` of the frame (in the frame's
 * coordinates) into plane 0 of `layout`. Otherwise `rowCopies` says what to copy.
 */
export function parseCopyToOptions(
  frame: { format: VideoPixelFormat; codedWidth: number; codedHeight: number; visibleRect: Rect },
  options?: VideoFrameCopyToOptions,
): {
  rect: Rect;
  format: VideoPixelFormat;
  colorSpace: PredefinedColorSpace | null;
  allocationSize: number;
  layout: ComputedPlaneLayout[];
  rowCopies: RowCopy[];
} {
  const dict = requireDictionary(options, 'VideoFrameCopyToOptions');
  let colorSpace: PredefinedColorSpace | undefined;
  if (dict.colorSpace !== undefined) {
    const value = String(dict.colorSpace);
    if (!PREDEFINED_COLOR_SPACES.includes(value)) {
      throw new TypeError(`colorSpace must be 'srgb' or 'display-p3' (got '${value}')`);
    }
    colorSpace = value as PredefinedColorSpace;
  }
  const requestedFormat = dict.format === undefined ? undefined : convertPixelFormat(dict.format, 'format');
  const optLayout = dict.layout === undefined ? undefined : convertPlaneLayouts(dict.layout, 'layout');

  const parsedRect = parseVisibleRect(
    frame.visibleRect,
    dict.rect as DOMRectInit | undefined,
    frame.codedWidth,
    frame.codedHeight,
    frame.format,
    'rect',
  );
  let format: VideoPixelFormat;
  if (requestedFormat === undefined) {
    format = frame.format;
  } else if (isRgbFormat(requestedFormat)) {
    format = requestedFormat;
  } else {
    throw new DOMException(
      `copyTo() can convert only to RGBA, RGBX, BGRA or BGRX (got '${requestedFormat}'); ` +
        `omit format to copy in the frame's own format (${frame.format})`,
      'NotSupportedError',
    );
  }
  const combinedLayout = computeLayoutAndAllocationSize(parsedRect, format, optLayout);

  // With a format given, the spec copies from "Convert to RGB frame" even when the format is the
  // frame's own: the result is opaque for RGBX/BGRX and in the requested colour space.
  const rowCopies: RowCopy[] =
    requestedFormat !== undefined
      ? []
      : combinedLayout.layout.map((plane, planeIndex) => ({
          plane: planeIndex,
          srcX: plane.sourceLeftBytes,
          srcY: plane.sourceTop,
          rowBytes: plane.sourceWidthBytes,
          rows: plane.sourceHeight,
          dstOffset: plane.destinationOffset,
          dstStride: plane.destinationStride,
        }));
  return {
    rect: parsedRect,
    format,
    colorSpace: requestedFormat === undefined ? null : (colorSpace ?? 'srgb'),
    allocationSize: combinedLayout.allocationSize,
    layout: combinedLayout.layout,
    rowCopies,
  };
}
