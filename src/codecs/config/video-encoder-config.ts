// VideoEncoderConfig: WebIDL conversion + "Clone Configuration", and "valid VideoEncoderConfig".
import { requireDictionary } from '../webidl.js';
import {
  compact,
  HARDWARE_ACCELERATION,
  readDictionary,
  readDouble,
  readEnum,
  readString,
  readUnsignedLong,
  readUnsignedLongLong,
  type HardwareAcceleration,
} from './dictionary.js';

export type AlphaOption = 'keep' | 'discard';
export type VideoEncoderBitrateMode = 'constant' | 'variable' | 'quantizer';
export type LatencyMode = 'quality' | 'realtime';
export type AvcBitstreamFormat = 'annexb' | 'avc';
export type HevcBitstreamFormat = 'annexb' | 'hevc';

export interface VideoEncoderConfig {
  codec: string;
  width: number;
  height: number;
  displayWidth?: number;
  displayHeight?: number;
  bitrate?: number;
  framerate?: number;
  hardwareAcceleration?: HardwareAcceleration;
  alpha?: AlphaOption;
  scalabilityMode?: string;
  bitrateMode?: VideoEncoderBitrateMode;
  latencyMode?: LatencyMode;
  contentHint?: string;
  avc?: { format?: AvcBitstreamFormat };
  hevc?: { format?: HevcBitstreamFormat };
  av1?: { forceScreenContentTools?: boolean };
}

const WHERE = 'VideoEncoderConfig';

/** Converts `config` to a VideoEncoderConfig holding only the members the spec (and the codec
 * registrations) define, deeply copied. Throws TypeError for wrongly typed members. */
export function cloneVideoEncoderConfig(config: unknown): VideoEncoderConfig {
  const dict = requireDictionary(config, WHERE);
  const avc = readDictionary(dict, 'avc', WHERE);
  const hevc = readDictionary(dict, 'hevc', WHERE);
  const av1 = readDictionary(dict, 'av1', WHERE);
  return compact({
    codec: readString(dict, 'codec', WHERE, true)!,
    width: readUnsignedLong(dict, 'width', WHERE, true)!,
    height: readUnsignedLong(dict, 'height', WHERE, true)!,
    displayWidth: readUnsignedLong(dict, 'displayWidth', WHERE),
    displayHeight: readUnsignedLong(dict, 'displayHeight', WHERE),
    bitrate: readUnsignedLongLong(dict, 'bitrate', WHERE),
    framerate: readDouble(dict, 'framerate', WHERE),
    hardwareAcceleration: readEnum(dict, 'hardwareAcceleration', WHERE, HARDWARE_ACCELERATION) ?? 'no-preference',
    alpha: readEnum(dict, 'alpha', WHERE, ['keep', 'discard'] as const) ?? 'discard',
    scalabilityMode: readString(dict, 'scalabilityMode', WHERE),
    bitrateMode: readEnum(dict, 'bitrateMode', WHERE, ['constant', 'variable', 'quantizer'] as const) ?? 'variable',
    latencyMode: readEnum(dict, 'latencyMode', WHERE, ['quality', 'realtime'] as const) ?? 'quality',
    contentHint: readString(dict, 'contentHint', WHERE),
    avc: avc && compact({ format: readEnum(avc, 'format', `${WHERE}.avc`, ['annexb', 'avc'] as const) ?? 'avc' }),
    hevc: hevc && compact({ format: readEnum(hevc, 'format', `${WHERE}.hevc`, ['annexb', 'hevc'] as const) ?? 'hevc' }),
    av1: av1 && compact({ forceScreenContentTools: av1.forceScreenContentTools === undefined ? undefined : Boolean(av1.forceScreenContentTools) }),
  });
}

/** "valid VideoEncoderConfig": the reason it is not valid, or null. */
export function invalidVideoEncoderConfigReason(config: VideoEncoderConfig): string | null {
  if (config.codec.trim() === '') return 'codec is empty; give a codec string such as "avc1.42001f"';
  if (config.width === 0 || config.height === 0) return 'width and height must be greater than 0';
  if (config.displayWidth === 0 || config.displayHeight === 0) return 'displayWidth and displayHeight must be greater than 0';
  if (config.framerate !== undefined && !(config.framerate > 0)) return 'framerate must be greater than 0';
  return null;
}

/** Converts and validates in one step, as configure() and isConfigSupported() both need. */
export function parseVideoEncoderConfig(config: unknown): VideoEncoderConfig {
  const clone = cloneVideoEncoderConfig(config);
  const reason = invalidVideoEncoderConfigReason(clone);
  if (reason !== null) throw new TypeError(`invalid VideoEncoderConfig: ${reason}`);
  return clone;
}
