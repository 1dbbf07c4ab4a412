// Loads the native addon once. A load failure explains how to fix the install instead of
// surfacing a bare dlopen error (missing FFmpeg shared libraries, an addon that was never built).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeFrameInfo {
  format: string;
  codedWidth: number;
  codedHeight: number;
  cropLeft: number;
  cropTop: number;
  cropRight: number;
  cropBottom: number;
  primaries: number;
  transfer: number;
  matrix: number;
  range: number;
  sarNum: number;
  sarDen: number;
  sampleRate: number;
  numberOfFrames: number;
  numberOfChannels: number;
  bytes: number;
}

export interface NativeRowCopy {
  plane: number;
  srcX: number;
  srcY: number;
  rowBytes: number;
  rows: number;
  dstOffset: number;
  dstStride: number;
}

/** One reference to a reference-counted native frame (video or audio). */
export interface NativeFrame {
  close(): void;
  clone(): NativeFrame;
  info(): NativeFrameInfo | null;
  /** Bytes this reference keeps alive (0 once closed). */
  byteLength(): number;
  copyTo(dest: ArrayBufferView, copies: NativeRowCopy[]): Promise<void>;
  copyToSync(dest: ArrayBufferView, copies: NativeRowCopy[]): void;
  convertTo(
    dest: ArrayBufferView,
    format: string,
    x: number,
    y: number,
    width: number,
    height: number,
    dstOffset: number,
    dstStride: number,
    swsColorspace?: number,
    fullRange?: boolean,
    displayP3?: boolean,
  ): Promise<void>;
}

export interface NativeFrameClass {
  fromVideoBuffer(
    format: string,
    codedWidth: number,
    codedHeight: number,
    data: ArrayBufferView,
    offsets: number[],
    strides: number[],
    adopt?: boolean,
  ): NativeFrame;
  fromAudioBuffer(
    format: string,
    sampleRate: number,
    numberOfChannels: number,
    numberOfFrames: number,
    data: ArrayBufferView,
  ): NativeFrame;
}

/** What the codec worker reports; see native/codec_worker.h. */
export type NativeEvent =
  | { type: 'output'; generation: number; output: NativeOutput }
  | { type: 'error'; generation: number; name: string; message: string }
  | { type: 'configured'; generation: number }
  | { type: 'flush'; generation: number; id: number }
  | { type: 'room'; generation: number }
  | { type: 'closed'; generation: number };

export interface NativePacketOutput {
  data: Uint8Array;
  key: boolean;
  timestamp: number;
  duration?: number;
  newConfig?: boolean;
  description?: Uint8Array;
  extra?: Record<string, number | string | boolean | Uint8Array>;
}

export interface NativeFrameOutput {
  frame: NativeFrame;
  timestamp: number;
  duration?: number;
}

export type NativeOutput = NativePacketOutput | NativeFrameOutput;

export type NativeConfig = Record<string, number | string | boolean | Uint8Array | undefined>;

export interface NativeCodecWorker {
  onevents: ((events: NativeEvent[]) => void) | null;
  configure(generation: number, config: NativeConfig): void;
  encode(generation: number, frame: NativeFrame, timestamp: number, duration: number | undefined, options?: NativeConfig): boolean;
  decode(generation: number, data: Uint8Array, timestamp: number, duration: number | undefined, key: boolean): boolean;
  flush(generation: number, id: number): void;
  reset(generation: number): void;
  close(): void;
}

export type CodecRole = 'video-encoder' | 'video-decoder' | 'audio-encoder' | 'audio-decoder' | 'image-decoder' | 'test';

export interface LiveCounters {
  videoFrames: number;
  videoFrameBytes: number;
  audioData: number;
  audioDataBytes: number;
  codecs: number;
}

export interface NativeAddon {
  NativeFrame: NativeFrameClass;
  CodecWorker: new (role: CodecRole, inboxCapacity: number) => NativeCodecWorker;
  probeConfig(role: CodecRole, config: NativeConfig): Promise<{ supported: boolean; message: string }>;
  liveCounters(): LiveCounters;
  hasEncoder(name: string): boolean;
  hasDecoder(name: string): boolean;
  versions(): Record<string, string>;
}

const ADDON_NAME = 'webcodecs_streams.node';

function packageRoot(): string {
  // src/native.ts and dist/native.js both sit one level below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

function loadAddon(): NativeAddon {
  const root = packageRoot();
  const candidates = [join(root, 'build', 'Release', ADDON_NAME), join(root, 'build', 'Debug', ADDON_NAME)];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(
      `webcodecs-streams: the native addon is not built (looked for ${candidates.join(', ')}).\n` +
        `  Build it with: npm run build:native   (needs cmake, a C++ compiler and FFmpeg >= 5.1 development files)\n` +
        `  or set everything up with: bash scripts/setup.sh`,
    );
  }
  const require = createRequire(import.meta.url);
  try {
    return require(found) as NativeAddon;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const missingLibrary = /lib(av|sw)\w+\.so/.exec(message)?.[0];
    throw new Error(
      `webcodecs-streams: the native addon at ${found} failed to load: ${message}\n` +
        (missingLibrary !== undefined
          ? `  The FFmpeg shared library ${missingLibrary} is missing or has another version than the one the addon was built with.\n` +
            `  Install FFmpeg (Debian/Ubuntu: sudo apt-get install libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev) and rebuild: npm run build:native`
          : `  Rebuild it for this machine: npm run build:native`),
      { cause: error },
    );
  }
}

export const native: NativeAddon = loadAddon();
