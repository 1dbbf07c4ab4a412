// Check Configuration Support for audio, in JavaScript: which FFmpeg encoder or decoder serves a
// codec string, and whether the configuration asks for something it cannot do. What passes here
// is confirmed by opening the codec (native probeConfig / configure), so isConfigSupported never
// answers true for a configuration that then fails.
import type { NativeConfig } from '../../native.js';
import { native } from '../../native.js';
import { parseAudioCodecString, type ParsedAudioCodec } from './codec-string/index.js';
import type { AudioDecoderConfig } from './audio-decoder-config.js';
import { OPUS_DEFAULT_COMPLEXITY, type AudioEncoderConfig } from './audio-encoder-config.js';

export type AudioPlan = { supported: true; native: NativeConfig } | { supported: false; reason: string };

const unsupported = (reason: string): AudioPlan => ({ supported: false, reason });

// Chromium's limits (media/base/limits.h): rates and channel counts real audio uses.
const MIN_SAMPLE_RATE = 3000;
const MAX_SAMPLE_RATE = 768000;
const MAX_CHANNELS = 32;

/** Opus is coded at 48 kHz whatever the input rate (as in browsers): decoders output 48 kHz. */
const OPUS_RATE = 48000;
/** Channel mapping family 1 (RFC 7845 5.1.1.2) defines layouts up to 8 channels. */
const OPUS_MAX_CHANNELS = 8;
/** The bitrates the Opus encoder takes (the range FFmpeg's libopus wrapper accepted before). */
const OPUS_MIN_BITRATE = 500;
const OPUS_MAX_BITRATE_PER_CHANNEL = 256000;
const FLAC_DEFAULT_COMPRESS_LEVEL = 5;

const PCM_CODECS: Record<'u8' | 's16' | 's24' | 's32' | 'f32', string> = {
  u8: 'pcm_u8',
  s16: 'pcm_s16le',
  s24: 'pcm_s24le',
  s32: 'pcm_s32le',
  f32: 'pcm_f32le',
};
const G711_CODECS: Record<'ulaw' | 'alaw', string> = { ulaw: 'pcm_mulaw', alaw: 'pcm_alaw' };

/** The MP3 registration's object type indications name the MPEG version, which fixes the rates:
 * 0x6B is MPEG-1 audio (ISO/IEC 11172-3), 0x69 MPEG-2 audio (ISO/IEC 13818-3, half rates). */
const MP3_RATES: Record<string, number[]> = {
  'mp4a.6B': [32000, 44100, 48000],
  'mp4a.6b': [32000, 44100, 48000],
  'mp4a.69': [16000, 22050, 24000],
};
const MP3_NAMES: Record<string, string> = {
  'mp4a.6B': 'MPEG-1 audio',
  'mp4a.6b': 'MPEG-1 audio',
  'mp4a.69': 'MPEG-2 audio',
};

/** MPEG-4 audio object type 2; the only AAC profile FFmpeg's encoder produces. */
const AAC_LC = 2;
/** Extended HE-AAC (USAC): FFmpeg 5.1 has no decoder for it. */
const XHE_AAC = 42;

function rangeProblem(sampleRate: number, numberOfChannels: number): string | null {
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    return `sampleRate ${sampleRate} is outside ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE} Hz`;
  }
  if (numberOfChannels > MAX_CHANNELS) return `numberOfChannels ${numberOfChannels} is above ${MAX_CHANNELS}`;
  return null;
}

function withEncoder(name: string, config: NativeConfig): AudioPlan {
  if (!native.hasEncoder(name)) return unsupported(`this FFmpeg has no ${name} encoder`);
  return { supported: true, native: { ...config, encoder: name } };
}

function withDecoder(name: string, parsed: ParsedAudioCodec, config: NativeConfig): AudioPlan {
  if (!native.hasDecoder(name)) return unsupported(`this FFmpeg has no ${name} decoder`);
  return { supported: true, native: { ...config, decoder: name, kind: parsed.kind } };
}

export function planAudioEncoder(config: AudioEncoderConfig): AudioPlan {
  const parsed = parseAudioCodecString(config.codec);
  if (parsed === null) return unsupported(`"${config.codec}" is not an audio codec string (e.g. "opus", "mp4a.40.2", "flac", "pcm-s16")`);
  const range = rangeProblem(config.sampleRate, config.numberOfChannels);
  if (range !== null) return unsupported(range);
  const common: NativeConfig = {
    sampleRate: config.sampleRate,
    numberOfChannels: config.numberOfChannels,
    bitrate: config.bitrate,
    bitrateMode: config.bitrateMode,
  };
  switch (parsed.kind) {
    case 'opus': {
      // Encoded with libopus itself (native/opus_packet_encoder.cc), which the addon links: no
      // FFmpeg encoder is involved, so there is nothing to look up.
      const opus = config.opus ?? {};
      const channels = config.numberOfChannels;
      if (channels > OPUS_MAX_CHANNELS) {
        return unsupported(`Opus channel mapping families 0 and 1 (RFC 7845) define up to ${OPUS_MAX_CHANNELS} channels, not ${channels}; downmix first`);
      }
      if (opus.usedtx === true && channels > 2) {
        return unsupported('opus.usedtx needs mono or stereo audio: DTX is decided per Opus stream, and more channels are several streams');
      }
      const bitrate = config.bitrate;
      if (bitrate !== undefined && (bitrate < OPUS_MIN_BITRATE || bitrate > OPUS_MAX_BITRATE_PER_CHANNEL * channels)) {
        return unsupported(`Opus bitrate ${bitrate} is outside ${OPUS_MIN_BITRATE}..${OPUS_MAX_BITRATE_PER_CHANNEL * channels} bit/s for ${channels} channel(s)`);
      }
      return {
        supported: true,
        native: {
          ...common,
          encoder: 'libopus',
          codecSampleRate: OPUS_RATE,
          opusApplication: opus.application ?? 'audio',
          opusSignal: opus.signal ?? 'auto',
          opusFrameDuration: opus.frameDuration ?? 20000,
          opusPacketLoss: opus.packetlossperc ?? 0,
          opusFec: opus.useinbandfec ?? false,
          opusDtx: opus.usedtx ?? false,
          compressionLevel: opus.complexity ?? OPUS_DEFAULT_COMPLEXITY,
          // The OpusHead goes with both formats: the packets are the same, and it carries the
          // pre-skip (encoder delay) muxers need. Chrome emits it too, and muxers written for it
          // (webm-muxer, mp4-muxer's Opus pre-skip) rely on it.
          descriptionFormat: 'extradata',
        },
      };
    }
    case 'aac': {
      if (parsed.objectType !== AAC_LC) return unsupported(`"${config.codec}" cannot be encoded here; FFmpeg's AAC encoder makes AAC LC ("mp4a.40.2")`);
      const adts = config.aac?.format === 'adts';
      return withEncoder('aac', {
        ...common,
        adts,
        mpeg2: config.codec === 'mp4a.67',
        descriptionFormat: adts ? undefined : 'extradata',
      });
    }
    case 'flac': {
      if (config.bitrateMode === 'constant') return unsupported('FLAC is lossless and cannot keep a constant bitrate; use bitrateMode "variable"');
      const blockSize = config.flac?.blockSize ?? 0;
      return withEncoder('flac', {
        sampleRate: config.sampleRate,
        numberOfChannels: config.numberOfChannels,
        frameSize: blockSize > 0 ? blockSize : undefined,
        compressionLevel: config.flac?.compressLevel ?? FLAC_DEFAULT_COMPRESS_LEVEL,
        descriptionFormat: 'flac',
      });
    }
    case 'mp3': {
      const rates = MP3_RATES[config.codec];
      if (rates !== undefined && !rates.includes(config.sampleRate)) {
        return unsupported(`"${config.codec}" is ${MP3_NAMES[config.codec]}, coded at ${rates.join(', ')} Hz; use "mp3" for other rates`);
      }
      return withEncoder('libmp3lame', common);
    }
    case 'vorbis':
      return withEncoder('libvorbis', { ...common, descriptionFormat: 'xiph' });
    case 'pcm':
      return withEncoder(PCM_CODECS[parsed.format], { sampleRate: config.sampleRate, numberOfChannels: config.numberOfChannels });
    case 'ulaw':
    case 'alaw':
      return withEncoder(G711_CODECS[parsed.kind], { sampleRate: config.sampleRate, numberOfChannels: config.numberOfChannels });
  }
}

export function planAudioDecoder(config: AudioDecoderConfig & { description?: Uint8Array }): AudioPlan {
  const parsed = parseAudioCodecString(config.codec);
  if (parsed === null) return unsupported(`"${config.codec}" is not an audio codec string (e.g. "opus", "mp4a.40.2", "flac", "pcm-s16")`);
  const common: NativeConfig = {
    sampleRate: config.sampleRate,
    numberOfChannels: config.numberOfChannels,
    description: config.description,
  };
  switch (parsed.kind) {
    case 'aac':
      if (parsed.objectType === XHE_AAC) return unsupported('Extended HE-AAC (mp4a.40.42) cannot be decoded by this FFmpeg');
      return withDecoder('aac', parsed, common);
    case 'mp3':
      return withDecoder('mp3float', parsed, { ...common, description: undefined });
    case 'opus':
      if (config.description === undefined && config.numberOfChannels > 2) {
        return unsupported('Opus with more than 2 channels needs a description (the OpusHead with its channel mapping)');
      }
      if (config.numberOfChannels > MAX_CHANNELS) return unsupported(`numberOfChannels ${config.numberOfChannels} is above ${MAX_CHANNELS}`);
      return withDecoder('opus', parsed, common);
    case 'flac':
    case 'vorbis':
      if (config.description === undefined) return unsupported(`${parsed.kind} needs a description (see its codec registration)`);
      return withDecoder(parsed.kind, parsed, common);
    case 'pcm':
    case 'ulaw':
    case 'alaw': {
      // The chunks are bare samples: the config's rate and channel count are all there is.
      const range = rangeProblem(config.sampleRate, config.numberOfChannels);
      if (range !== null) return unsupported(range);
      const name = parsed.kind === 'pcm' ? PCM_CODECS[parsed.format] : G711_CODECS[parsed.kind];
      return withDecoder(name, parsed, { ...common, description: undefined });
    }
  }
}
