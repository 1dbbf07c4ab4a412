// VideoDecoderConfig: WebIDL conversion + "Clone Configuration", and "valid VideoDecoderConfig".
import type { AllowSharedBufferSource } from '../webidl.js';
import type { VideoColorSpaceInit } from '../video-color-space.js';
import { requireDictionary } from '../webidl.js';
import {
  compact,
  copyBufferSource,
  HARDWARE_ACCELERATION,
  readBoolean,
  readBufferSource,
  readDictionary,
  readDouble,
  readEnum,
  readString,
  readUnsignedLong,
  type HardwareAcceleration,
} from './dictionary.js';
import { cloneColorSpaceInit } from './color-space-init.js';

export interface VideoDecoderConfig {
  codec: string;
  description?: AllowSharedBufferSource;
  codedWidth?: number;
  codedHeight?: number;
  displayAspectWidth?: number;
  displayAspectHeight?: number;
  colorSpace?: VideoColorSpaceInit;
  hardwareAcceleration?: HardwareAcceleration;
  optimizeForLatency?: boolean;
  rotation?: number;
  flip?: boolean;
}

const WHERE = 'VideoDecoderConfig';

/** Converts, validates ("valid VideoDecoderConfig") and deep-copies `config`. TypeError if invalid. */
export function parseVideoDecoderConfig(config: unknown): VideoDecoderConfig & { description?: Uint8Array } {
  const dict = requireDictionary(config, WHERE);
  const colorSpace = readDictionary(dict, 'colorSpace', WHERE);
  const clone = compact({
    codec: readString(dict, 'codec', WHERE, true)!,
    description: copyBufferSource(readBufferSource(dict, 'description', WHERE), `${WHERE}.description`),
    codedWidth: readUnsignedLong(dict, 'codedWidth', WHERE),
    codedHeight: readUnsignedLong(dict, 'codedHeight', WHERE),
    displayAspectWidth: readUnsignedLong(dict, 'displayAspectWidth', WHERE),
    displayAspectHeight: readUnsignedLong(dict, 'displayAspectHeight', WHERE),
    colorSpace: colorSpace && cloneColorSpaceInit(colorSpace, `${WHERE}.colorSpace`),
    hardwareAcceleration: readEnum(dict, 'hardwareAcceleration', WHERE, HARDWARE_ACCELERATION) ?? 'no-preference',
    optimizeForLatency: readBoolean(dict, 'optimizeForLatency'),
    rotation: readDouble(dict, 'rotation', WHERE) ?? 0,
    flip: readBoolean(dict, 'flip') ?? false,
  });
  const reason = invalidReason(clone);
  if (reason !== null) throw new TypeError(`invalid VideoDecoderConfig: ${reason}`);
  return clone;
}

function invalidReason(config: VideoDecoderConfig): string | null {
  if (config.codec.trim() === '') return 'codec is empty; give a codec string such as "avc1.42001f"';
  if ((config.codedWidth === undefined) !== (config.codedHeight === undefined)) return 'codedWidth and codedHeight must be given together';
  if (config.codedWidth === 0 || config.codedHeight === 0) return 'codedWidth and codedHeight must be greater than 0';
  if ((config.displayAspectWidth === undefined) !== (config.displayAspectHeight === undefined)) {
    return 'displayAspectWidth and displayAspectHeight must be given together';
  }
  if (config.displayAspectWidth === 0 || config.displayAspectHeight === 0) return 'displayAspectWidth and displayAspectHeight must be greater than 0';
  return null;
}
