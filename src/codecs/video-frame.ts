// VideoFrame (spec "VideoFrame Interface"): a handle to one reference of a reference-counted
// native frame. clone() shares the pixels, close() releases them at once, encoders take their
// own reference; pixels are copied only by copyTo() and by construction from JavaScript memory.
import { native, type NativeFrame } from '../native.js';
import { DOMRectReadOnly, type DOMRectInit } from './dom-rect.js';
import { invalidState } from './errors.js';
import { warnUnclosed } from './gc-warning.js';
import { equivalentOpaqueFormat, isRgbFormat, type VideoPixelFormat } from './pixel-format.js';
import { VideoColorSpace, colorSpaceFromFFmpeg, type VideoColorSpaceInit } from './video-color-space.js';
import {
  parseCopyToOptions,
  parseRotation,
  parseVisibleRect,
  validateBufferInit,
  type PlaneLayout,
  type Rect,
  type VideoFrameBufferInit,
  type VideoFrameCopyToOptions,
} from './video-frame-layout.js';
import { bytesOf, enforceRange, enforceUnsignedLong, isBufferSource, isDetached, requireDictionary, takeOrCopyBytes, detach, detachTransferList, type BufferSource } from './webidl.js';

export type AlphaOption = 'keep' | 'discard';
export type VideoFrameMetadata = Record<string, unknown>;

export interface VideoFrameInit {
  duration?: number;
  timestamp?: number;
  alpha?: AlphaOption;
  visibleRect?: DOMRectInit;
  rotation?: number;
  flip?: boolean;
  displayWidth?: number;
  displayHeight?: number;
  metadata?: VideoFrameMetadata;
}

/** Everything a frame is besides its native reference (the spec's internal slots). */
interface FrameSlots {
  format: VideoPixelFormat | null;
  codedWidth: number;
  codedHeight: number;
  visibleRect: Rect;
  rotation: number;
  flip: boolean;
  displayWidth: number;
  displayHeight: number;
  timestamp: number;
  duration: number | null;
  colorSpace: VideoColorSpace;
  metadata: VideoFrameMetadata;
}

const SUPPORTED_SOURCES =
  'supported sources are a VideoFrame, or an ArrayBuffer/ArrayBufferView of pixels with a VideoFrameBufferInit ' +
  '({ format, codedWidth, codedHeight, timestamp }); Node has no canvas, image or video elements';

/** "Add Rotations". */
function addRotations(baseRotation: number, baseFlip: boolean, rotation: number): number {
  const combined = baseFlip ? baseRotation - rotation : baseRotation + rotation;
  return combined - Math.floor(combined / 360) * 360;
}

function copyMetadata(metadata: unknown): VideoFrameMetadata {
  if (metadata === undefined || metadata === null) return {};
  return structuredClone(requireDictionary(metadata, 'metadata'));
}

function closedSlots(): FrameSlots {
  return {
    format: null,
    codedWidth: 0,
    codedHeight: 0,
    visibleRect: { x: 0, y: 0, width: 0, height: 0 },
    rotation: 0,
    flip: false,
    displayWidth: 0,
    displayHeight: 0,
    timestamp: 0,
    duration: null,
    colorSpace: new VideoColorSpace(),
    metadata: {},
  };
}

/** Builds frames around native outputs of the decoders (no public constructor path). */
const fromNativeKey = Symbol('fromNative');

export class VideoFrame {
  #native: NativeFrame | null;
  #slots: FrameSlots;
  // Timestamp and duration stay readable after close(), as in browsers.
  #timestamp: number;
  #duration: number | null;

  constructor(image: VideoFrame | BufferSource, init?: VideoFrameInit | VideoFrameBufferInit);
  constructor(source: unknown, init?: unknown) {
    if ((init as Record<symbol, unknown> | undefined)?.[fromNativeKey] !== undefined) {
      const { nativeFrame, slots } = (init as Record<symbol, { nativeFrame: NativeFrame; slots: FrameSlots }>)[fromNativeKey]!;
      this.#native = nativeFrame;
      this.#slots = slots;
    } else if (source instanceof VideoFrame) {
      const { nativeFrame, slots } = VideoFrame.#initializeFromOtherFrame(source, requireDictionary(init, 'VideoFrameInit') as VideoFrameInit);
      this.#native = nativeFrame;
      this.#slots = slots;
    } else if (isBufferSource(source)) {
      if (init === undefined || init === null) throw new TypeError(`VideoFrame: a VideoFrameBufferInit is required with pixel data; ${SUPPORTED_SOURCES}`);
      const { nativeFrame, slots } = VideoFrame.#initializeFromBuffer(source, requireDictionary(init, 'VideoFrameBufferInit') as unknown as VideoFrameBufferInit);
      this.#native = nativeFrame;
      this.#slots = slots;
    } else {
      const kind = source === null ? 'null' : typeof source === 'object' ? (source as object).constructor?.name ?? 'object' : typeof source;
      throw new TypeError(`VideoFrame: cannot construct from ${kind}; ${SUPPORTED_SOURCES}`);
    }
    this.#timestamp = this.#slots.timestamp;
    this.#duration = this.#slots.duration;
    warnUnclosed.register(this, 'VideoFrame', this.#native);
  }

  /** @internal Wraps a decoder output (internal). */
  static fromNative(nativeFrame: NativeFrame, init: {
    timestamp: number;
    duration: number | null;
    displayAspectWidth?: number;
    displayAspectHeight?: number;
    colorSpace?: VideoColorSpaceInit;
    rotation?: number;
    flip?: boolean;
  }): VideoFrame {
    const info = nativeFrame.info()!;
    const format = (info.format || null) as VideoPixelFormat | null;
    const visibleRect = { x: 0, y: 0, width: info.codedWidth, height: info.codedHeight };
    let displayWidth = info.codedWidth;
    let displayHeight = info.codedHeight;
    if (info.sarNum > 0 && info.sarDen > 0 && info.sarNum !== info.sarDen) {
      // The bitstream's sample aspect ratio widens (or heightens) the display size.
      if (info.sarNum > info.sarDen) displayWidth = Math.round((displayWidth * info.sarNum) / info.sarDen);
      else displayHeight = Math.round((displayHeight * info.sarDen) / info.sarNum);
    }
    if (init.displayAspectWidth !== undefined && init.displayAspectHeight !== undefined) {
      // "Create a VideoFrame" step 8: increase one dimension until the ratios match.
      const ratio = init.displayAspectWidth / init.displayAspectHeight;
      if (displayWidth / displayHeight < ratio) displayWidth = Math.round(displayHeight * ratio);
      else displayHeight = Math.round(displayWidth / ratio);
    }
    const colorSpace =
      init.colorSpace !== undefined
        ? new VideoColorSpace(init.colorSpace)
        : colorSpaceFromFFmpeg({ primaries: info.primaries, transfer: info.transfer, matrix: info.matrix, range: info.range });
    const slots: FrameSlots = {
      format,
      codedWidth: info.codedWidth,
      codedHeight: info.codedHeight,
      visibleRect,
      rotation: init.rotation ?? 0,
      flip: init.flip ?? false,
      displayWidth,
      displayHeight,
      timestamp: init.timestamp,
      duration: init.duration,
      colorSpace,
      metadata: {},
    };
    return new VideoFrame(undefined as unknown as BufferSource, { [fromNativeKey]: { nativeFrame, slots } } as unknown as VideoFrameInit);
  }

  static #initializeFromBuffer(data: BufferSource, init: VideoFrameBufferInit): { nativeFrame: NativeFrame; slots: FrameSlots } {
    if (isDetached(data)) throw new TypeError('VideoFrame: the pixel data buffer is detached');
    const parsed = validateBufferInit(init, ArrayBuffer.isView(data) ? data.byteLength : data.byteLength);
    const transfer = detachTransferList(init.transfer, 'VideoFrameBufferInit');
    const metadata = copyMetadata(init.metadata); // may throw: before any buffer is detached or taken
    // A transferred buffer is adopted without a copy; otherwise the native side copies once.
    const sourceBuffer = ArrayBuffer.isView(data) ? data.buffer : data;
    const adopt = transfer.includes(sourceBuffer as ArrayBuffer);
    const bytes = adopt ? takeOrCopyBytes(data, transfer) : bytesOf(data);
    if (!adopt) detach(transfer);
    const nativeFrame = native.NativeFrame.fromVideoBuffer(
      parsed.format,
      parsed.codedWidth,
      parsed.codedHeight,
      bytes,
      parsed.planes.map((p) => p.offset),
      parsed.planes.map((p) => p.stride),
      adopt,
    );

    return {
      nativeFrame,
      slots: {
        format: parsed.format,
        codedWidth: parsed.codedWidth,
        codedHeight: parsed.codedHeight,
        visibleRect: parsed.visibleRect,
        rotation: parsed.rotation,
        flip: parsed.flip,
        displayWidth: parsed.displayWidth,
        displayHeight: parsed.displayHeight,
        timestamp: parsed.timestamp,
        duration: parsed.duration ?? null,
        colorSpace: parsed.colorSpace,
        metadata,
      },
    };
  }

  /** "Initialize Frame From Other Frame". */
  static #initializeFromOtherFrame(other: VideoFrame, init: VideoFrameInit): { nativeFrame: NativeFrame; slots: FrameSlots } {
    if (other.#native === null) throw invalidState('VideoFrame: the source frame is closed');
    const o = other.#slots;
    let format = o.format;
    if (init.alpha === 'discard' && format !== null) format = equivalentOpaqueFormat(format);
    else if (init.alpha !== undefined && init.alpha !== 'keep' && init.alpha !== 'discard') {
      throw new TypeError(`VideoFrameInit.alpha must be "keep" or "discard" (got ${String(init.alpha)})`);
    }
    // "Validate VideoFrameInit" and "Initialize Visible Rect, Orientation, and Display Size".
    if ((init.displayWidth === undefined) !== (init.displayHeight === undefined)) {
      throw new TypeError('VideoFrameInit: displayWidth and displayHeight must be given together');
    }
    const displayWidthInit = init.displayWidth === undefined ? undefined : enforceUnsignedLong(init.displayWidth, 'displayWidth');
    const displayHeightInit = init.displayHeight === undefined ? undefined : enforceUnsignedLong(init.displayHeight, 'displayHeight');
    if (displayWidthInit === 0 || displayHeightInit === 0) throw new TypeError('VideoFrameInit: displayWidth and displayHeight must be > 0');
    const visibleRect =
      init.visibleRect !== undefined && format !== null
        ? parseVisibleRect(o.visibleRect, init.visibleRect, o.codedWidth, o.codedHeight, format)
        : o.visibleRect;
    const rotationValue = init.rotation === undefined ? 0 : Number(init.rotation);
    if (!Number.isFinite(rotationValue)) throw new TypeError(`VideoFrameInit.rotation must be a finite number (got ${String(init.rotation)})`);
    const rotation = parseRotation(rotationValue);
    const frameRotation = addRotations(o.rotation, o.flip, rotation);
    const flip = o.flip !== Boolean(init.flip);
    let displayWidth: number;
    let displayHeight: number;
    if (displayWidthInit !== undefined && displayHeightInit !== undefined) {
      displayWidth = displayWidthInit;
      displayHeight = displayHeightInit;
    } else {
      const straight = o.rotation === 0 || o.rotation === 180;
      const widthScale = (straight ? o.displayWidth : o.displayHeight) / o.visibleRect.width;
      const heightScale = (straight ? o.displayHeight : o.displayWidth) / o.visibleRect.height;
      const w = Math.round(visibleRect.width * widthScale);
      const h = Math.round(visibleRect.height * heightScale);
      const turned = !(rotation === 0 || rotation === 180);
      displayWidth = turned ? h : w;
      displayHeight = turned ? w : h;
    }
    const slots: FrameSlots = {
      format,
      codedWidth: o.codedWidth,
      codedHeight: o.codedHeight,
      visibleRect,
      rotation: frameRotation,
      flip,
      displayWidth,
      displayHeight,
      timestamp: init.timestamp === undefined ? o.timestamp : enforceRange(init.timestamp, 'VideoFrameInit.timestamp'),
      duration: init.duration === undefined ? o.duration : enforceRange(init.duration, 'VideoFrameInit.duration', 0),
      colorSpace: o.colorSpace,
      metadata: init.metadata === undefined ? copyMetadata(o.metadata) : copyMetadata(init.metadata),
    };
    // The new reference is taken last, once nothing above can throw and leave it behind.
    return { nativeFrame: other.#native.clone(), slots };
  }

  get format(): VideoPixelFormat | null {
    return this.#slots.format;
  }
  get codedWidth(): number {
    return this.#slots.codedWidth;
  }
  get codedHeight(): number {
    return this.#slots.codedHeight;
  }
  get codedRect(): DOMRectReadOnly | null {
    if (this.#native === null) return null;
    return new DOMRectReadOnly(0, 0, this.#slots.codedWidth, this.#slots.codedHeight);
  }
  get visibleRect(): DOMRectReadOnly | null {
    if (this.#native === null) return null;
    const r = this.#slots.visibleRect;
    return new DOMRectReadOnly(r.x, r.y, r.width, r.height);
  }
  get rotation(): number {
    return this.#slots.rotation;
  }
  get flip(): boolean {
    return this.#slots.flip;
  }
  get displayWidth(): number {
    return this.#slots.displayWidth;
  }
  get displayHeight(): number {
    return this.#slots.displayHeight;
  }
  get timestamp(): number {
    return this.#timestamp;
  }
  get duration(): number | null {
    return this.#duration;
  }
  get colorSpace(): VideoColorSpace {
    return this.#slots.colorSpace;
  }

  metadata(): VideoFrameMetadata {
    if (this.#native === null) throw invalidState('VideoFrame.metadata(): the frame is closed');
    return copyMetadata(this.#slots.metadata);
  }

  allocationSize(options: VideoFrameCopyToOptions = {}): number {
    if (this.#native === null) throw invalidState('VideoFrame.allocationSize(): the frame is closed');
    return this.#parseCopyToOptions(options).allocationSize;
  }

  async copyTo(destination: BufferSource, options: VideoFrameCopyToOptions = {}): Promise<PlaneLayout[]> {
    if (this.#native === null) throw invalidState('VideoFrame.copyTo(): the frame is closed');
    const parsed = this.#parseCopyToOptions(options);
    if (!isBufferSource(destination)) throw new TypeError('VideoFrame.copyTo(): destination must be an ArrayBuffer or ArrayBufferView');
    if (destination.byteLength < parsed.allocationSize) {
      throw new TypeError(
        `VideoFrame.copyTo(): destination has ${destination.byteLength} bytes but ${parsed.allocationSize} are needed; ` +
          'size it with allocationSize(options)',
      );
    }
    const layouts = parsed.layout.map((l) => ({ offset: l.destinationOffset, stride: l.destinationStride }));
    if (parsed.colorSpace !== null) {
      // Conversion to RGB(A/X)/BGR(A/X) runs on the thread pool with libswscale.
      const { matrix, fullRange } = this.#slots.colorSpace;
      const swsColorspace = matrix === 'bt470bg' || matrix === 'smpte170m' ? 5 : matrix === 'bt2020-ncl' ? 9 : 1;
      await this.#native.convertTo(
        bytesOf(destination),
        parsed.format,
        parsed.rect.x,
        parsed.rect.y,
        parsed.rect.width,
        parsed.rect.height,
        layouts[0]!.offset,
        layouts[0]!.stride,
        swsColorspace,
        fullRange === true,
        parsed.colorSpace === 'display-p3',
      );
      return layouts;
    }
    await this.#native.copyTo(bytesOf(destination), parsed.rowCopies);
    return layouts;
  }

  #parseCopyToOptions(options: VideoFrameCopyToOptions) {
    if (this.#slots.format === null) {
      throw new DOMException('VideoFrame: this frame has no readable pixel format', 'NotSupportedError');
    }
    const format = this.#slots.format;
    return parseCopyToOptions(
      { format, codedWidth: this.#slots.codedWidth, codedHeight: this.#slots.codedHeight, visibleRect: this.#slots.visibleRect },
      requireDictionary(options, 'VideoFrameCopyToOptions') as VideoFrameCopyToOptions,
    );
  }

  clone(): VideoFrame {
    if (this.#native === null) throw invalidState('VideoFrame.clone(): the frame is closed');
    return new VideoFrame(undefined as unknown as BufferSource, {
      [fromNativeKey]: { nativeFrame: this.#native.clone(), slots: { ...this.#slots, metadata: copyMetadata(this.#slots.metadata) } },
    } as unknown as VideoFrameInit);
  }

  close(): void {
    if (this.#native === null) return;
    this.#native.close();
    this.#native = null;
    warnUnclosed.unregister(this);
    this.#slots = closedSlots();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  get [Symbol.toStringTag](): string {
    return 'VideoFrame';
  }

  /** @internal Internal: the native reference and what an encoder needs to know (null once closed). */
  static internals(frame: VideoFrame): { nativeFrame: NativeFrame; slots: Readonly<FrameSlots> } | null {
    if (!(frame instanceof VideoFrame)) return null;
    if (frame.#native === null) return null;
    return { nativeFrame: frame.#native, slots: frame.#slots };
  }

  /** @internal */
  static isRgb(frame: VideoFrame): boolean {
    return frame.#slots.format !== null && isRgbFormat(frame.#slots.format);
  }
}
