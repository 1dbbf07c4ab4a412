// AudioEncoderConfig with the Opus, AAC and FLAC registrations' extensions: WebIDL conversion +
// "Clone Configuration", and "valid AudioEncoderConfig" (with each extension's validity steps).
import { requireDictionary } from '../webidl.js';
import { compact, readBoolean, readDictionary, readEnum, readString, readUnsignedLong, readUnsignedLongLong } from './dictionary.js';

export type BitrateMode = 'constant' | 'variable';
export type OpusBitstreamFormat = 'opus' | 'ogg';
export type OpusSignal = 'auto' | 'music' | 'voice';
export type OpusApplication = 'voip' | 'audio' | 'lowdelay';
export type AacBitstreamFormat = 'aac' | 'adts';

export interface OpusEncoderConfig {
  format?: OpusBitstreamFormat;
  signal?: OpusSignal;
  application?: OpusApplication;
  frameDuration?: number;
  complexity?: number;
  packetlossperc?: number;
  useinbandfec?: boolean;
  usedtx?: boolean;
}

export interface AacEncoderConfig {
  format?: AacBitstreamFormat;
}

export interface FlacEncoderConfig {
  blockSize?: number;
  compressLevel?: number;
}

export interface AudioEncoderConfig {
  codec: string;
  sampleRate: number;
  numberOfChannels: number;
  bitrate?: number;
  bitrateMode?: BitrateMode;
  opus?: OpusEncoderConfig;
  aac?: AacEncoderConfig;
  flac?: FlacEncoderConfig;
}

const WHERE = 'AudioEncoderConfig';

/** RFC 6716 complexity when the config leaves it out: the spec's recommendation off mobile. */
export const OPUS_DEFAULT_COMPLEXITY = 9;

/** RFC 6716 section 2.1.4: Opus frames last 2.5, 5, 10, 20, 40 or 60 ms, and a packet (one
 * EncodedAudioChunk) may combine them up to 120 ms; libopus (>= 1.2) codes 80, 100 and 120 ms packets. */
const OPUS_FRAME_DURATIONS = [2500, 5000, 10000, 20000, 40000, 60000, 80000, 100000, 120000];

function cloneOpus(dict: Record<string, unknown>): OpusEncoderConfig {
  const where = `${WHERE}.opus`;
  return compact({
    format: readEnum(dict, 'format', where, ['opus', 'ogg'] as const) ?? 'opus',
    signal: readEnum(dict, 'signal', where, ['auto', 'music', 'voice'] as const) ?? 'auto',
    application: readEnum(dict, 'application', where, ['voip', 'audio', 'lowdelay'] as const) ?? 'audio',
    frameDuration: readUnsignedLongLong(dict, 'frameDuration', where) ?? 20000,
    // "User Agents SHOULD set a default of 5 for mobile platforms, and a default of 9 for all
    // other platforms": the default is part of the configuration isConfigSupported() returns.
    complexity: readUnsignedLong(dict, 'complexity', where) ?? OPUS_DEFAULT_COMPLEXITY,
    packetlossperc: readUnsignedLong(dict, 'packetlossperc', where) ?? 0,
    useinbandfec: readBoolean(dict, 'useinbandfec') ?? false,
    usedtx: readBoolean(dict, 'usedtx') ?? false,
  });
}

function cloneFlac(dict: Record<string, unknown>): FlacEncoderConfig {
  const where = `${WHERE}.flac`;
  return {
    blockSize: readUnsignedLong(dict, 'blockSize', where) ?? 0,
    compressLevel: readUnsignedLong(dict, 'compressLevel', where) ?? 5,
  };
}

/** Converts `config` to an AudioEncoderConfig holding only the members the spec and the
 * registrations define, deeply copied. Throws TypeError for wrongly typed members. */
export function cloneAudioEncoderConfig(config: unknown): AudioEncoderConfig {
  const dict = requireDictionary(config, WHERE);
  const opus = readDictionary(dict, 'opus', WHERE);
  const aac = readDictionary(dict, 'aac', WHERE);
  const flac = readDictionary(dict, 'flac', WHERE);
  return compact({
    codec: readString(dict, 'codec', WHERE, true)!,
    sampleRate: readUnsignedLong(dict, 'sampleRate', WHERE, true)!,
    numberOfChannels: readUnsignedLong(dict, 'numberOfChannels', WHERE, true)!,
    bitrate: readUnsignedLongLong(dict, 'bitrate', WHERE),
    bitrateMode: readEnum(dict, 'bitrateMode', WHERE, ['constant', 'variable'] as const) ?? 'variable',
    opus: opus && cloneOpus(opus),
    aac: aac && { format: readEnum(aac, 'format', `${WHERE}.aac`, ['aac', 'adts'] as const) ?? 'aac' },
    flac: flac && cloneFlac(flac),
  });
}

/** "valid AudioEncoderConfig": the reason it is not valid, or null. */
export function invalidAudioEncoderConfigReason(config: AudioEncoderConfig): string | null {
  if (config.codec.trim() === '') return 'codec is empty; give a codec string such as "opus" or "mp4a.40.2"';
  const opus = config.opus;
  if (opus !== undefined) {
    if (!OPUS_FRAME_DURATIONS.includes(opus.frameDuration!)) {
      return `opus.frameDuration must be one of ${OPUS_FRAME_DURATIONS.join(', ')} microseconds (got ${opus.frameDuration})`;
    }
    if (opus.complexity !== undefined && opus.complexity > 10) return `opus.complexity must be 0 to 10 (got ${opus.complexity})`;
    if (opus.packetlossperc! > 100) return `opus.packetlossperc must be 0 to 100 (got ${opus.packetlossperc})`;
  }
  const flac = config.flac;
  if (flac !== undefined) {
    // FLAC section 5.1: blocks of 16 to 65535 samples; 0 lets the encoder choose.
    if (flac.blockSize !== 0 && (flac.blockSize! < 16 || flac.blockSize! > 65535)) {
      return `flac.blockSize must be 0 (encoder's choice) or 16 to 65535 (got ${flac.blockSize})`;
    }
    if (flac.compressLevel! > 8) return `flac.compressLevel must be 0 to 8 (got ${flac.compressLevel})`;
  }
  if (config.sampleRate === 0) return 'sampleRate must be greater than 0';
  if (config.numberOfChannels === 0) return 'numberOfChannels must be greater than 0';
  return null;
}

/** Converts and validates in one step, as configure() and isConfigSupported() both need. */
export function parseAudioEncoderConfig(config: unknown): AudioEncoderConfig {
  const clone = cloneAudioEncoderConfig(config);
  const reason = invalidAudioEncoderConfigReason(clone);
  if (reason !== null) throw new TypeError(`invalid AudioEncoderConfig: ${reason}`);
  return clone;
}
