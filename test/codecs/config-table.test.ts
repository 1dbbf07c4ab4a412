// isConfigSupported against reality, over a large table of VideoEncoderConfigs: every config that
// answers supported must configure and encode a few frames without error (and one that answers
// unsupported must close a configured encoder with NotSupportedError), plus the answers that
// are known in advance (level limits, odd sizes, unknown profiles, unsupported features).
import t from 'tap';
import { VideoEncoder, VideoFrame, type VideoEncoderConfig } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { i420Pattern } from '../helpers/media.js';

checkNoLiveFramesAfterEach(t);

const CODECS = ['avc1.42001f', 'avc1.4d001f', 'avc1.64001f', 'hvc1.1.6.L93.B0', 'hev1.2.4.L93.B0', 'vp8', 'vp09.00.30.08', 'vp09.02.30.10', 'av01.0.04M.08', 'av01.1.04M.08'];
const VARIANTS: Partial<VideoEncoderConfig>[] = [
  {},
  { latencyMode: 'realtime' },
  { bitrate: 300_000, bitrateMode: 'constant' },
  { bitrate: 300_000, bitrateMode: 'variable', latencyMode: 'realtime' },
  { bitrateMode: 'quantizer' },
  { bitrateMode: 'quantizer', latencyMode: 'realtime' },
  { scalabilityMode: 'L1T2', latencyMode: 'realtime' },
  { scalabilityMode: 'L1T3' },
  { scalabilityMode: 'L2T1' },
  { alpha: 'keep' },
  { hardwareAcceleration: 'prefer-hardware' },
  { hardwareAcceleration: 'prefer-software', contentHint: 'text' },
  { displayWidth: 320, displayHeight: 120, framerate: 25 },
  { width: 161, height: 97 },
  { width: 1920, height: 1080 },
];

// One probe (configure + encode) per distinct config: the table repeats some combinations.
const probed = new Map<string, Promise<string>>();

/** Configures, encodes 3 frames and flushes: '' on success, else the error's name and message. */
function configureAndEncode(config: VideoEncoderConfig): Promise<string> {
  const key = JSON.stringify(config);
  const cached = probed.get(key);
  if (cached !== undefined) return cached;
  const result = (async () => {
    let error = '';
    let outputs = 0;
    const encoder = new VideoEncoder({ output: () => outputs++, error: (e) => (error = `${e.name}: ${e.message}`) });
    encoder.configure(config);
    for (let i = 0; i < 3 && encoder.state === 'configured'; i++) {
      const frame = new VideoFrame(i420Pattern(config.width, config.height, i), {
        format: 'I420',
        codedWidth: config.width,
        codedHeight: config.height,
        timestamp: i * 33333,
      });
      encoder.encode(frame, config.bitrateMode === 'quantizer' ? { avc: { quantizer: 20 + i }, hevc: { quantizer: 20 + i }, vp9: { quantizer: 80 + i }, av1: { quantizer: 20 + i } } : {});
      frame.close();
    }
    await encoder.flush().catch(() => {});
    if (encoder.state !== 'closed') encoder.close();
    if (error === '' && outputs !== 3) error = `${outputs} outputs for 3 frames`;
    return error;
  })();
  probed.set(key, result);
  return result;
}

t.test('supported implies configure + encode works; unsupported closes configure with NotSupportedError', async (t) => {
  let supportedCount = 0;
  for (const codec of CODECS) {
    for (const variant of VARIANTS) {
      const config: VideoEncoderConfig = { codec, width: 160, height: 96, ...variant };
      const { supported } = await VideoEncoder.isConfigSupported(config);
      const label = `${codec} ${JSON.stringify(variant)}`;
      // 1080p is above every level in the table (3.0/3.1); VP8 has no levels, so it is encoded.
      if (config.width === 1920 && codec !== 'vp8') {
        t.equal(supported, false, `${label}: above the codec string's level`);
        continue;
      }
      const error = await configureAndEncode(config);
      if (supported) {
        supportedCount++;
        t.equal(error, '', `${label}: supported, and it encodes`);
      } else {
        t.match(error, /^NotSupportedError/, `${label}: unsupported, and configure() says NotSupportedError`);
      }
    }
  }
  t.ok(supportedCount >= 60, `${supportedCount} supported configurations encoded`);
});

t.test('answers known in advance', async (t) => {
  const cases: [VideoEncoderConfig, boolean, string][] = [
    [{ codec: 'avc1.42001f', width: 161, height: 96 }, false, 'odd width for H.264 4:2:0'],
    [{ codec: 'hvc1.1.6.L93.B0', width: 160, height: 97 }, false, 'odd height for HEVC 4:2:0'],
    [{ codec: 'vp8', width: 161, height: 97 }, true, 'VP8 codes odd sizes'],
    [{ codec: 'vp09.00.30.08', width: 161, height: 97 }, true, 'VP9 codes odd sizes'],
    [{ codec: 'av01.0.04M.08', width: 161, height: 97 }, true, 'AV1 codes odd sizes'],
    [{ codec: 'avc1.42000a', width: 640, height: 360 }, false, 'H.264 level 1 is 176x144 at most'],
    [{ codec: 'avc1.42001e', width: 720, height: 576, framerate: 25 }, true, 'H.264 level 3: 720x576 at 25 fps'],
    [{ codec: 'avc1.42001e', width: 720, height: 576, framerate: 60 }, true, 'H.264 level 3 at 720x576: framerate is a hint, not a limit'],
    [{ codec: 'avc1.64000c', width: 320, height: 240, framerate: 30 }, true, 'H.264 level 1.2 at 320x240 (a level chosen by picture size)'],
    [{ codec: 'hvc1.1.6.L60.B0', width: 640, height: 360 }, false, 'HEVC level 2 is 122880 samples'],
    [{ codec: 'vp09.00.10.08', width: 640, height: 360 }, false, 'VP9 level 1 is 36864 samples'],
    [{ codec: 'av01.0.00M.08', width: 2560, height: 1440 }, false, 'AV1 level 2.0 is 2048 wide'],
    [{ codec: 'avc1.58001f', width: 160, height: 96 }, false, 'H.264 extended profile'],
    [{ codec: 'avc1.f4001f', width: 160, height: 96 }, false, 'H.264 High 4:4:4'],
    [{ codec: 'hvc1.4.10.L93.B0', width: 160, height: 96 }, false, 'HEVC range extensions'],
    [{ codec: 'av01.2.04M.10', width: 160, height: 96 }, false, 'AV1 professional profile'],
    [{ codec: 'av01.0.09H.08', width: 160, height: 96 }, false, 'AV1 high tier'],
    [{ codec: 'vp09.04.30.08', width: 160, height: 96 }, false, 'VP9 has no profile 4'],
    [{ codec: 'vp09.01.30.08', width: 160, height: 96 }, true, 'VP9 profile 1 (4:4:4)'],
    [{ codec: 'vp09.03.30.12', width: 160, height: 96 }, true, 'VP9 profile 3, 12-bit'],
    [{ codec: 'vp09.00.30.08', width: 160, height: 96, scalabilityMode: 'L1T3', bitrateMode: 'quantizer' }, false, 'VP9 SVC fixes quantizer bounds'],
    [{ codec: 'avc1.42001f', width: 160, height: 96, scalabilityMode: 'L1T3' }, true, 'H.264 temporal layers (x264 reference invalidation)'],
    [{ codec: 'vp8', width: 160, height: 96, bitrateMode: 'quantizer' }, false, 'no VP8 per-frame quantizer'],
    [{ codec: 'av01.0.04M.08', width: 160, height: 96, bitrateMode: 'quantizer' }, true, 'AV1 per-frame quantizer (libaom directly)'],
    [{ codec: 'av01.0.04M.08', width: 160, height: 96, scalabilityMode: 'L1T3' }, true, 'AV1 temporal layers (libaom SVC)'],
    [{ codec: 'av01.0.04M.08', width: 160, height: 96, av1: { forceScreenContentTools: true } }, true, 'AV1 screen content tools'],
    [{ codec: 'vp8', width: 160, height: 96, scalabilityMode: 'L3T3' }, false, 'no spatial layers'],
    [{ codec: 'vp8', width: 160, height: 96, scalabilityMode: 'S2T1' }, false, 'no simulcast'],
  ];
  for (const [config, expected, why] of cases) {
    t.equal((await VideoEncoder.isConfigSupported(config)).supported, expected, `${config.codec} ${config.width}x${config.height}: ${why}`);
    if (expected) t.equal(await configureAndEncode(config), '', `${why}: encodes`);
  }
});
