// isConfigSupported for every codec string of the audio registrations, some that are not, and
// the configurations a supported codec still cannot honour; invalid configs reject with TypeError.
import t from 'tap';
import { AudioDecoder, AudioEncoder, type AudioDecoderConfig, type AudioEncoderConfig } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { encodeAudio, sweep } from './helpers.js';

checkNoLiveFramesAfterEach(t);

const audio = { sampleRate: 48000, numberOfChannels: 2 };

const ENCODABLE = [
  'opus',
  'mp4a.40.2',
  'mp4a.40.02',
  'mp4a.67',
  'mp3',
  'mp4a.6B',
  'mp4a.6b',
  'flac',
  'vorbis',
  'pcm-u8',
  'pcm-s16',
  'pcm-s24',
  'pcm-s32',
  'pcm-f32',
  'ulaw',
  'alaw',
];
/** Registered strings without an encoder here: FFmpeg's AAC encoder makes AAC LC only. */
const NOT_ENCODABLE = ['mp4a.40.5', 'mp4a.40.05', 'mp4a.40.29', 'mp4a.40.42'];
const NOT_CODEC_STRINGS = ['Opus', 'OPUS', ' opus', 'opus ', 'mp4a.40', 'mp4a.40.3', 'mp4a.6', 'aac', 'pcm-s8', 'pcm-s16le', 'pcm', 'avc1.42001f', 'vp8'];

t.test('AudioEncoder.isConfigSupported: registration codec strings', async (t) => {
  for (const codec of ENCODABLE) {
    const result = await AudioEncoder.isConfigSupported({ codec, ...audio });
    t.equal(result.supported, true, `${codec} encodes`);
  }
  for (const codec of [...NOT_ENCODABLE, ...NOT_CODEC_STRINGS]) {
    t.equal((await AudioEncoder.isConfigSupported({ codec, ...audio })).supported, false, `${JSON.stringify(codec)} does not`);
  }
  t.equal((await AudioEncoder.isConfigSupported({ codec: 'mp4a.69', ...audio })).supported, false, 'MPEG-2 audio has no 48 kHz');
  t.equal((await AudioEncoder.isConfigSupported({ codec: 'mp4a.69', sampleRate: 24000, numberOfChannels: 2 })).supported, true);
});

t.test('AudioEncoder.isConfigSupported: what a supported codec cannot honour', async (t) => {
  const no: [string, AudioEncoderConfig][] = [
    ['AAC at a rate MPEG-4 audio does not define', { codec: 'mp4a.40.2', sampleRate: 50000, numberOfChannels: 2 }],
    ['MP3 at 96 kHz', { codec: 'mp3', sampleRate: 96000, numberOfChannels: 2 }],
    ['Opus with 9 channels', { codec: 'opus', sampleRate: 48000, numberOfChannels: 9 }],
    ['Opus DTX with 6 channels (several Opus streams)', { codec: 'opus', sampleRate: 48000, numberOfChannels: 6, opus: { usedtx: true } }],
    ['constant-bitrate FLAC', { codec: 'flac', ...audio, bitrateMode: 'constant' }],
    ['a 1 kHz sample rate', { codec: 'pcm-s16', sampleRate: 1000, numberOfChannels: 1 }],
    ['64 channels', { codec: 'pcm-s16', sampleRate: 48000, numberOfChannels: 64 }],
  ];
  for (const [name, config] of no) t.equal((await AudioEncoder.isConfigSupported(config)).supported, false, name);
  const yes: [string, AudioEncoderConfig][] = [
    ['Opus from 44.1 kHz, every option', {
      codec: 'opus',
      sampleRate: 44100,
      numberOfChannels: 1,
      bitrate: 64000,
      bitrateMode: 'constant',
      opus: { format: 'ogg', application: 'lowdelay', frameDuration: 2500, complexity: 0, packetlossperc: 10, useinbandfec: true },
    }],
    ['Opus 5.1', { codec: 'opus', sampleRate: 48000, numberOfChannels: 6 }],
    ['Opus signal "music"', { codec: 'opus', ...audio, opus: { signal: 'music' } }],
    ['Opus signal "voice" with DTX', { codec: 'opus', ...audio, opus: { signal: 'voice', usedtx: true } }],
    ['Opus 120 ms packets', { codec: 'opus', ...audio, opus: { frameDuration: 120000 } }],
    ['AAC ADTS, constant bitrate', { codec: 'mp4a.40.2', ...audio, bitrate: 128000, bitrateMode: 'constant', aac: { format: 'adts' } }],
    ['FLAC options', { codec: 'flac', sampleRate: 96000, numberOfChannels: 8, flac: { blockSize: 16, compressLevel: 0 } }],
  ];
  for (const [name, config] of yes) t.equal((await AudioEncoder.isConfigSupported(config)).supported, true, name);
});

t.test('AudioEncoder.isConfigSupported clones the config: known members, defaults filled in', async (t) => {
  const result = await AudioEncoder.isConfigSupported({
    codec: 'opus',
    ...audio,
    bitrate: 96000,
    opus: { complexity: 3, extra: 1 },
    futureMember: true,
  } as unknown as AudioEncoderConfig);
  t.same(result.config, {
    codec: 'opus',
    sampleRate: 48000,
    numberOfChannels: 2,
    bitrate: 96000,
    bitrateMode: 'variable',
    opus: { format: 'opus', signal: 'auto', application: 'audio', frameDuration: 20000, complexity: 3, packetlossperc: 0, useinbandfec: false, usedtx: false },
  });
  t.notOk('futureMember' in result.config, 'unknown members are dropped');
});

t.test('AudioEncoder.isConfigSupported rejects invalid configs with TypeError', async (t) => {
  const invalid: [string, unknown][] = [
    ['empty codec', { codec: '', ...audio }],
    ['blank codec', { codec: '  ', ...audio }],
    ['sampleRate 0', { codec: 'opus', sampleRate: 0, numberOfChannels: 2 }],
    ['numberOfChannels 0', { codec: 'opus', sampleRate: 48000, numberOfChannels: 0 }],
    ['missing sampleRate', { codec: 'opus', numberOfChannels: 2 }],
    ['missing codec', { ...audio }],
    ['bitrateMode quantizer', { codec: 'opus', ...audio, bitrateMode: 'quantizer' }],
    ['Opus frameDuration 7 ms', { codec: 'opus', ...audio, opus: { frameDuration: 7000 } }],
    ['Opus complexity 11', { codec: 'opus', ...audio, opus: { complexity: 11 } }],
    ['Opus packetlossperc 101', { codec: 'opus', ...audio, opus: { packetlossperc: 101 } }],
    ['Opus format "raw"', { codec: 'opus', ...audio, opus: { format: 'raw' } }],
    ['FLAC blockSize 8', { codec: 'flac', ...audio, flac: { blockSize: 8 } }],
    ['FLAC compressLevel 9', { codec: 'flac', ...audio, flac: { compressLevel: 9 } }],
    ['AAC format "latm"', { codec: 'mp4a.40.2', ...audio, aac: { format: 'latm' } }],
  ];
  for (const [name, config] of invalid) await t.rejects(AudioEncoder.isConfigSupported(config as AudioEncoderConfig), TypeError, name);
});

t.test('AudioDecoder.isConfigSupported: registration codec strings', async (t) => {
  const flac = await encodeAudio({ codec: 'flac', ...audio }, sweep(48000, 2, 0.1), 'f32', 4800);
  const vorbis = await encodeAudio({ codec: 'vorbis', ...audio }, sweep(48000, 2, 0.1), 'f32', 4800);
  const opusHead = await encodeAudio({ codec: 'opus', sampleRate: 48000, numberOfChannels: 6, opus: { format: 'ogg' } }, sweep(48000, 6, 0.1), 'f32', 4800);
  const decodable: AudioDecoderConfig[] = [
    { codec: 'opus', ...audio },
    { codec: 'opus', sampleRate: 48000, numberOfChannels: 6, description: opusHead.decoderConfig.description! },
    ...['mp4a.40.2', 'mp4a.40.02', 'mp4a.40.5', 'mp4a.40.05', 'mp4a.40.29', 'mp4a.67'].map((codec) => ({ codec, ...audio })),
    { codec: 'mp4a.40.2', ...audio, description: new Uint8Array([0x11, 0x90]) },
    ...['mp3', 'mp4a.69', 'mp4a.6B', 'mp4a.6b'].map((codec) => ({ codec, ...audio })),
    { codec: 'flac', ...audio, description: flac.decoderConfig.description! },
    { codec: 'vorbis', ...audio, description: vorbis.decoderConfig.description! },
    ...['pcm-u8', 'pcm-s16', 'pcm-s24', 'pcm-s32', 'pcm-f32', 'ulaw', 'alaw'].map((codec) => ({ codec, ...audio })),
  ];
  for (const config of decodable) {
    const label = `${config.codec}${config.description ? ' with description' : ''}${config.numberOfChannels !== 2 ? `, ${config.numberOfChannels} channels` : ''}`;
    t.equal((await AudioDecoder.isConfigSupported(config)).supported, true, label);
  }
  const no: [string, AudioDecoderConfig][] = [
    ['xHE-AAC', { codec: 'mp4a.40.42', ...audio }],
    ['FLAC without description', { codec: 'flac', ...audio }],
    ['Vorbis without description', { codec: 'vorbis', ...audio }],
    ['a FLAC description without "fLaC"', { codec: 'flac', ...audio, description: new Uint8Array(42) }],
    ['a Vorbis description with one header', { codec: 'vorbis', ...audio, description: new Uint8Array([1, 30, ...new Uint8Array(30)]) }],
    ['an invalid AudioSpecificConfig', { codec: 'mp4a.40.2', ...audio, description: new Uint8Array([0xff, 0xff]) }],
    ['Opus 5.1 without an OpusHead', { codec: 'opus', sampleRate: 48000, numberOfChannels: 6 }],
    ['PCM at 1 kHz', { codec: 'pcm-s16', sampleRate: 1000, numberOfChannels: 2 }],
    ...NOT_CODEC_STRINGS.map((codec): [string, AudioDecoderConfig] => [JSON.stringify(codec), { codec, ...audio }]),
  ];
  for (const [name, config] of no) t.equal((await AudioDecoder.isConfigSupported(config)).supported, false, name);
});

t.test('AudioDecoder.isConfigSupported clones and validates', async (t) => {
  const description = new Uint8Array([0x11, 0x90]);
  const result = await AudioDecoder.isConfigSupported({ codec: 'mp4a.40.2', ...audio, description, extra: 1 } as AudioDecoderConfig);
  t.not(result.config.description, description, 'the description is copied');
  t.same([...new Uint8Array((result.config.description as Uint8Array).buffer)], [0x11, 0x90]);
  t.notOk('extra' in result.config);
  const detached = new ArrayBuffer(2);
  structuredClone(detached, { transfer: [detached] });
  const invalid: [string, unknown][] = [
    ['empty codec', { codec: '', ...audio }],
    ['sampleRate 0', { codec: 'opus', sampleRate: 0, numberOfChannels: 2 }],
    ['numberOfChannels 0', { codec: 'opus', sampleRate: 48000, numberOfChannels: 0 }],
    ['missing numberOfChannels', { codec: 'opus', sampleRate: 48000 }],
    ['detached description', { codec: 'mp4a.40.2', ...audio, description: detached }],
  ];
  for (const [name, config] of invalid) await t.rejects(AudioDecoder.isConfigSupported(config as AudioDecoderConfig), TypeError, name);
});

t.test('the Opus complexity default (9 off mobile, as the registration recommends) is part of the returned config', async (t) => {
  const support = await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2, opus: {} });
  t.equal(support.supported, true);
  t.equal(support.config?.opus?.complexity, 9);
  const chosen = await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2, opus: { complexity: 3 } });
  t.equal(chosen.config?.opus?.complexity, 3, 'a given complexity is kept');
});
