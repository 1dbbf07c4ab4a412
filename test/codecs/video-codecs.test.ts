// Every video codec through the spec classes: H.264, HEVC, VP8, VP9 and AV1 round trips with PSNR
// floors, 10-bit output, colour from the bitstream, per-frame quantizers, temporal layers,
// reconfiguration, forced key frames, and decoders fed damaged chunks.
import t from 'tap';
import {
  EncodedVideoChunk,
  VideoDecoder,
  VideoEncoder,
  VideoFrame,
  type EncodedVideoChunkMetadata,
  type VideoColorSpaceInit,
  type VideoDecoderConfig,
  type VideoEncoderConfig,
  type VideoEncoderEncodeOptions,
} from '../../src/index.js';
import { isKeyChunk } from '../../src/codecs/config/key-chunk.js';
import { eventually, checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { chunkBytes as bytesOf, closeAll, decodeUntilError as decode, encodeSegments } from '../helpers/codecs.js';
import { i420Pattern, pixelsOf, psnr } from '../helpers/media.js';

checkNoLiveFramesAfterEach(t);

type Kind = 'avc' | 'hevc' | 'vp8' | 'vp9' | 'av1';

const CODECS: Record<Kind, string> = {
  avc: 'avc1.42001f',
  hevc: 'hvc1.1.6.L93.B0',
  vp8: 'vp8',
  vp9: 'vp09.00.30.08',
  av1: 'av01.0.04M.08',
};
const KINDS = Object.keys(CODECS) as Kind[];
const FRAME_US = 33333;

function frameOf(width: number, height: number, index: number, colorSpace?: VideoColorSpaceInit): VideoFrame {
  return new VideoFrame(i420Pattern(width, height, index), {
    format: 'I420',
    codedWidth: width,
    codedHeight: height,
    timestamp: index * FRAME_US,
    duration: FRAME_US,
    ...(colorSpace ? { colorSpace } : {}),
  });
}

/** Encodes `frames` pattern frames; `options(i)` gives each frame's encode options. */
function encode(
  config: VideoEncoderConfig,
  frames: number,
  options: (i: number) => VideoEncoderEncodeOptions = (i) => ({ keyFrame: i === 0 }),
  colorSpace?: VideoColorSpaceInit,
) {
  return encodeSegments([{ config, frames, options }], colorSpace);
}

async function meanPsnr(frames: VideoFrame[], width: number, height: number): Promise<{ mean: number; min: number }> {
  let sum = 0;
  let min = Infinity;
  for (const frame of frames) {
    const index = Math.round(frame.timestamp / FRAME_US);
    const quality = psnr(await pixelsOf(frame), i420Pattern(width, height, index));
    sum += quality;
    min = Math.min(min, quality);
  }
  return { mean: sum / frames.length, min };
}

// The acceptance bar: 60 frames of 640x360, every decoded frame >= 32 dB.
for (const kind of KINDS) {
  t.test(`${kind}: 60 frames of 640x360 round trip at >= 32 dB, exact timestamps, key chunks true to the bitstream`, async (t) => {
    const config: VideoEncoderConfig = { codec: CODECS[kind], width: 640, height: 360, bitrate: 1_500_000, framerate: 30, latencyMode: 'realtime' };
    const { chunks, configs } = await encode(config, 60);
    t.equal(chunks.length, 60, 'one chunk per frame');
    t.equal(chunks[0]!.type, 'key');
    t.equal(configs.length, 1, 'one decoderConfig');
    const decoderConfig = configs[0]!;
    t.equal(decoderConfig.codec, CODECS[kind], 'the codec string is the configured one');
    t.equal(decoderConfig.codedWidth, 640);
    t.equal(decoderConfig.codedHeight, 360);
    const description = decoderConfig.description === undefined ? undefined : new Uint8Array(decoderConfig.description as ArrayBuffer);
    if (kind === 'avc' || kind === 'hevc') t.equal(description?.[0], 1, `${kind === 'avc' ? 'avcC' : 'hvcC'} description (version 1)`);
    else t.equal(description, undefined, 'no description for VPx/AV1');
    t.same(
      chunks.map((c) => c.timestamp).sort((a, b) => a - b),
      Array.from({ length: 60 }, (_, i) => i * FRAME_US),
      'chunk timestamps are the frame timestamps',
    );
    t.ok(chunks.every((c) => c.duration === FRAME_US), 'chunk durations are the frame durations');
    const mismatched = chunks.filter((c) => isKeyChunk(kind, bytesOf(c), description) !== (c.type === 'key'));
    t.equal(mismatched.length, 0, 'chunk type matches the bitstream for every chunk');

    const { frames, error } = await decode(decoderConfig, chunks);
    t.equal(error, null);
    t.equal(frames.length, 60, 'every frame decodes');
    t.same(frames.map((f) => f.timestamp), Array.from({ length: 60 }, (_, i) => i * FRAME_US), 'presentation order');
    t.ok(frames.every((f) => f.format === 'I420' && f.codedWidth === 640 && f.codedHeight === 360));
    const { mean, min } = await meanPsnr(frames, 640, 360);
    t.ok(min >= 32, `${kind}: PSNR mean ${mean.toFixed(2)} dB, min ${min.toFixed(2)} dB >= 32`);
    closeAll(frames);
  });
}

for (const kind of KINDS) {
  t.test(`${kind}: quality latency mode round trip (lookahead, reordering where the codec has it)`, async (t) => {
    const config: VideoEncoderConfig = { codec: CODECS[kind], width: 320, height: 180, bitrate: 600_000, framerate: 30, latencyMode: 'quality' };
    const { chunks, configs } = await encode(config, 20);
    t.equal(chunks.length, 20);
    const { frames, error } = await decode(configs[0]!, chunks);
    t.equal(error, null);
    t.same(frames.map((f) => f.timestamp), Array.from({ length: 20 }, (_, i) => i * FRAME_US), 'all frames, in presentation order');
    const { min } = await meanPsnr(frames, 320, 180);
    t.ok(min >= 30, `PSNR min ${min.toFixed(2)} dB >= 30`);
    closeAll(frames);
  });
}

t.test('keyFrame: true forces a key chunk on every encoder, in both latency modes', async (t) => {
  for (const kind of KINDS) {
    for (const latencyMode of ['realtime', 'quality'] as const) {
      const { chunks } = await encode({ codec: CODECS[kind], width: 160, height: 96, framerate: 30, latencyMode }, 12, (i) => ({ keyFrame: i % 5 === 0 }));
      const byFrame = new Map(chunks.map((c) => [Math.round(c.timestamp / FRAME_US), c.type]));
      t.same([0, 5, 10].map((i) => byFrame.get(i)), ['key', 'key', 'key'], `${kind} ${latencyMode}: frames 0, 5 and 10 are key chunks`);
    }
  }
});

t.test('HEVC: "hevc" format gives hvcC and length-prefixed chunks, "annexb" start codes and no description', async (t) => {
  const hevc = await encode({ codec: CODECS.hevc, width: 160, height: 96, hevc: { format: 'hevc' } }, 3);
  const annexb = await encode({ codec: CODECS.hevc, width: 160, height: 96, hevc: { format: 'annexb' } }, 3);
  const hvcC = new Uint8Array(hevc.configs[0]!.description as ArrayBuffer);
  t.equal(hvcC[0], 1, 'configurationVersion');
  t.equal(hvcC[1]! & 0x1f, 1, 'general_profile_idc Main');
  t.equal(hvcC[12], 93, 'general_level_idc as configured (L93)');
  t.equal(hvcC[22], 3, 'VPS, SPS and PPS arrays');
  t.notSame([...bytesOf(hevc.chunks[0]!).subarray(0, 4)], [0, 0, 0, 1], 'no start code');
  t.equal(annexb.configs[0]!.description, undefined);
  t.same([...bytesOf(annexb.chunks[0]!).subarray(0, 4)], [0, 0, 0, 1], 'start code');
  t.equal((await VideoDecoder.isConfigSupported(hevc.configs[0]!)).supported, true, 'the emitted hvcC is accepted');
  for (const config of [hevc.configs[0]!, annexb.configs[0]!]) {
    const chunks = config === hevc.configs[0] ? hevc.chunks : annexb.chunks;
    const { frames, error } = await decode(config, chunks);
    t.equal(error, null);
    t.equal(frames.length, 3);
    closeAll(frames);
  }
});

t.test('10-bit profiles decode to 10-bit formats with the right samples', async (t) => {
  const tenBit: [string, string][] = [
    ['hevc', 'hvc1.2.4.L93.B0'],
    ['vp9', 'vp09.02.30.10'],
    ['av1', 'av01.0.04M.10'],
  ];
  for (const [kind, codec] of tenBit) {
    const { chunks, configs } = await encode({ codec, width: 160, height: 96, bitrate: 500_000, latencyMode: 'realtime' }, 4);
    const { frames, error } = await decode(configs[0]!, chunks);
    t.equal(error, null, `${kind}: decodes`);
    t.equal(frames.length, 4);
    t.equal(frames[0]!.format, 'I420P10', `${kind}: I420P10 output`);
    // 10-bit samples are 2 bytes, little endian; compare luma with the 8-bit source scaled by 4.
    const bytes = await pixelsOf(frames[0]!);
    const luma = new Uint16Array(bytes.buffer, bytes.byteOffset, 160 * 96);
    const source = i420Pattern(160, 96, 0).subarray(0, 160 * 96);
    let sq = 0;
    for (let i = 0; i < luma.length; i++) sq += (luma[i]! / 4 - source[i]!) ** 2;
    const quality = 10 * Math.log10((255 * 255) / (sq / luma.length));
    t.ok(quality >= 30, `${kind}: 10-bit luma PSNR ${quality.toFixed(2)} dB >= 30`);
    closeAll(frames);
  }
});

t.test('colour space: written by the encoder from the frames, read back from the bitstream by the decoder', async (t) => {
  const smpte: VideoColorSpaceInit = { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false };
  // What each bitstream can carry: H.264/HEVC VUI and AV1 colour_config all three code points;
  // VP9 only the matrix (color_space) and range; VP8 is BT.601 YCbCr by definition, which the
  // decoder reports as the bt470bg matrix.
  const expected: Record<Kind, VideoColorSpaceInit> = {
    avc: smpte,
    hevc: smpte,
    av1: smpte,
    vp9: { primaries: null, transfer: null, matrix: 'smpte170m', fullRange: false },
    vp8: { primaries: null, transfer: null, matrix: 'bt470bg', fullRange: false },
  };
  for (const kind of KINDS) {
    const { chunks, configs } = await encode({ codec: CODECS[kind], width: 160, height: 96, latencyMode: 'realtime' }, 2, () => ({}), smpte);
    t.same(configs[0]!.colorSpace, smpte, `${kind}: decoderConfig.colorSpace is the frames' colour space`);
    const { colorSpace: _omit, ...withoutColour } = configs[0]!;
    const { frames } = await decode(withoutColour, chunks);
    t.same(frames[0]!.colorSpace.toJSON(), expected[kind], `${kind}: decoded frame's colorSpace comes from the bitstream`);
    closeAll(frames);
    const overridden = await decode({ ...withoutColour, colorSpace: { primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: true } }, chunks);
    t.equal(overridden.frames[0]!.colorSpace.primaries, 'bt2020', `${kind}: a configured colorSpace overrides the bitstream`);
    closeAll(overridden.frames);
  }
});

t.test('display aspect: displayWidth/displayHeight reach decoderConfig and the decoded frames', async (t) => {
  for (const kind of ['avc', 'vp9'] as const) {
    const { chunks, configs } = await encode({ codec: CODECS[kind], width: 160, height: 96, displayWidth: 320, displayHeight: 96 }, 2);
    t.equal(configs[0]!.displayAspectWidth, 320);
    t.equal(configs[0]!.displayAspectHeight, 96);
    const { frames } = await decode(configs[0]!, chunks);
    t.equal(frames[0]!.displayWidth, 320, `${kind}: display width widened to the aspect`);
    t.equal(frames[0]!.displayHeight, 96);
    closeAll(frames);
  }
});

t.test('per-frame quantizer: a larger quantizer gives a smaller chunk, monotonically', async (t) => {
  // Every frame is the same picture coded as a key frame, so only the quantizer differs.
  const cases: [Kind, number[]][] = [
    ['avc', [10, 20, 30, 40, 50]],
    ['hevc', [10, 20, 30, 40, 50]],
    ['vp9', [20, 60, 120, 180, 250]],
    ['av1', [20, 60, 120, 180, 250]],
  ];
  for (const [kind, quantizers] of cases) {
    for (const latencyMode of ['realtime', 'quality'] as const) {
      const config: VideoEncoderConfig = { codec: CODECS[kind], width: 160, height: 96, bitrateMode: 'quantizer', latencyMode };
      t.equal((await VideoEncoder.isConfigSupported(config)).supported, true);
      const encoderFrames: VideoFrame[] = [];
      const chunks: EncodedVideoChunk[] = [];
      const encoder = new VideoEncoder({ output: (c) => chunks.push(c), error: (e) => t.fail(String(e)) });
      encoder.configure(config);
      for (let i = 0; i < quantizers.length; i++) {
        const frame = new VideoFrame(i420Pattern(160, 96, 0), { format: 'I420', codedWidth: 160, codedHeight: 96, timestamp: i * FRAME_US });
        encoderFrames.push(frame);
        encoder.encode(frame, { keyFrame: true, [kind]: { quantizer: quantizers[i] } });
      }
      await encoder.flush();
      encoder.close();
      closeAll(encoderFrames);
      const sizes = chunks.sort((a, b) => a.timestamp - b.timestamp).map((c) => c.byteLength);
      t.ok(sizes.every((s, i) => i === 0 || s < sizes[i - 1]!), `${kind} ${latencyMode}: sizes ${sizes.join(' > ')} for quantizers ${quantizers.join(', ')}`);
    }
  }
  const encoder = new VideoEncoder({ output: () => {}, error: () => {} });
  encoder.configure({ codec: CODECS.avc, width: 160, height: 96, bitrateMode: 'quantizer' });
  const frame = frameOf(160, 96, 0);
  t.throws(() => encoder.encode(frame, { avc: { quantizer: 52 } }), TypeError, 'avc quantizer above 51');
  frame.close();
  encoder.close();
});

t.test('quantizer mode is answered unsupported where the encoder cannot take a quantizer per frame', async (t) => {
  for (const codec of ['vp8', 'hvc1.2.4.L93.B0']) {
    t.equal((await VideoEncoder.isConfigSupported({ codec, width: 160, height: 96, bitrateMode: 'quantizer' })).supported, false, codec);
  }
});

for (const kind of ['avc', 'vp8', 'vp9', 'av1'] as const) {
  t.test(`${kind}: temporal layers follow L1T2 (0,1,0,1) and L1T3 (0,2,1,2), and lower layers decode alone`, async (t) => {
    for (const [mode, pattern] of [
      ['L1T2', [0, 1]],
      ['L1T3', [0, 2, 1, 2]],
    ] as const) {
      // A forced key frame at 6 restarts the pattern.
      const { chunks, metadata, configs } = await encode(
        { codec: CODECS[kind], width: 160, height: 96, bitrate: 400_000, scalabilityMode: mode, latencyMode: 'realtime' },
        12,
        (i) => ({ keyFrame: i === 0 || i === 6 }),
      );
      const ids = metadata.map((m) => m.svc?.temporalLayerId);
      const expected = Array.from({ length: 12 }, (_, i) => pattern[(i < 6 ? i : i - 6) % pattern.length]);
      t.same(ids, expected, `${mode}: ${ids.join(',')}`);
      for (let top = 0; top < pattern.length - 1 && top < 2; top++) {
        const subset = chunks.filter((_, i) => ids[i]! <= top);
        const { frames, error } = await decode(configs[0]!, subset);
        t.equal(error, null, `${mode}: layers 0..${top} decode without the others`);
        t.equal(frames.length, subset.length);
        const { min } = await meanPsnr(frames, 160, 96);
        t.ok(min >= 28, `${mode} layers 0..${top}: PSNR min ${min.toFixed(2)} dB`);
        closeAll(frames);
      }
    }
  });
}

t.test('temporal layers are unsupported where the encoder has no real layering', async (t) => {
  for (const kind of ['hevc'] as const) {
    t.equal((await VideoEncoder.isConfigSupported({ codec: CODECS[kind], width: 160, height: 96, scalabilityMode: 'L1T2' })).supported, false, kind);
    t.equal((await VideoEncoder.isConfigSupported({ codec: CODECS[kind], width: 160, height: 96, scalabilityMode: 'L1T1' })).supported, true, `${kind} L1T1`);
  }
  t.equal((await VideoEncoder.isConfigSupported({ codec: 'vp8', width: 160, height: 96, scalabilityMode: 'L2T2' })).supported, false, 'spatial layers');
});

t.test('alpha: "keep" gives alpha side data for VP8/VP9 and is unsupported elsewhere', async (t) => {
  for (const kind of KINDS) {
    const supported = (await VideoEncoder.isConfigSupported({ codec: CODECS[kind], width: 160, height: 96, alpha: 'keep' })).supported;
    t.equal(supported, kind === 'vp8' || kind === 'vp9', `${kind}: alpha keep supported = ${supported}`);
  }
  const { metadata } = await encode({ codec: 'vp8', width: 160, height: 96, alpha: 'keep' }, 2);
  t.ok(metadata.every((m) => m.alphaSideData instanceof ArrayBuffer && m.alphaSideData.byteLength > 0), 'every chunk has alpha side data');
  const discard = await encode({ codec: 'vp8', width: 160, height: 96 }, 2);
  t.ok(discard.metadata.every((m) => m.alphaSideData === undefined), 'none with alpha "discard"');
});

for (const kind of KINDS) {
  t.test(`${kind}: configure() mid-stream (size and bitrate) reconfigures in order; the stream decodes`, async (t) => {
    const outputs: { chunk: EncodedVideoChunk; meta: EncodedVideoChunkMetadata }[] = [];
    const encoder = new VideoEncoder({ output: (chunk, meta) => outputs.push({ chunk, meta: meta ?? {} }), error: (e) => t.fail(String(e)) });
    const first: VideoEncoderConfig = { codec: CODECS[kind], width: 320, height: 180, bitrate: 500_000, latencyMode: 'quality' };
    const second: VideoEncoderConfig = { ...first, width: 160, height: 96, bitrate: 200_000 };
    encoder.configure(first);
    for (let i = 0; i < 8; i++) {
      const frame = frameOf(320, 180, i);
      encoder.encode(frame);
      frame.close();
    }
    encoder.configure(second); // no flush: the first configuration's frames must come out first
    for (let i = 8; i < 16; i++) {
      const frame = frameOf(160, 96, i);
      encoder.encode(frame);
      frame.close();
    }
    await encoder.flush();
    encoder.close();
    const withConfig = outputs.filter((o) => o.meta.decoderConfig !== undefined);
    t.equal(withConfig.length, 2, 'a new decoderConfig when the configuration changes');
    t.equal(withConfig[0]!.meta.decoderConfig!.codedWidth, 320);
    t.equal(withConfig[1]!.meta.decoderConfig!.codedWidth, 160);
    const split = outputs.indexOf(withConfig[1]!);
    t.ok(outputs.slice(0, split).every((o) => o.chunk.timestamp < 8 * FRAME_US), 'old frames before the new configuration');
    t.equal(outputs[split]!.chunk.type, 'key', 'the new configuration starts with a key chunk');
    const a = await decode(withConfig[0]!.meta.decoderConfig as VideoDecoderConfig, outputs.slice(0, split).map((o) => o.chunk));
    const b = await decode(withConfig[1]!.meta.decoderConfig as VideoDecoderConfig, outputs.slice(split).map((o) => o.chunk));
    t.equal(a.error, null);
    t.equal(b.error, null);
    t.equal(a.frames.length + b.frames.length, 16, 'all 16 frames decode');
    t.ok(b.frames.every((f) => f.codedWidth === 160), 'second part at the new size');
    t.ok((await meanPsnr(b.frames, 160, 96)).min >= 28, 'second part PSNR >= 28 dB');
    closeAll(a.frames);
    closeAll(b.frames);
  });
}

t.test('optimizeForLatency: each chunk of a realtime stream comes out without a flush', async (t) => {
  for (const kind of KINDS) {
    const { chunks, configs } = await encode({ codec: CODECS[kind], width: 160, height: 96, latencyMode: 'realtime' }, 3);
    const frames: VideoFrame[] = [];
    const decoder = new VideoDecoder({ output: (f) => frames.push(f), error: (e) => t.fail(String(e)) });
    decoder.configure({ ...configs[0]!, optimizeForLatency: true });
    for (let i = 0; i < chunks.length; i++) {
      decoder.decode(chunks[i]!);
      t.ok(await eventually(() => frames.length === i + 1), `${kind}: frame ${i} out before the next chunk`);
    }
    decoder.close();
    closeAll(frames);
  }
});

t.test('description validation: malformed avcC/hvcC/av1C are unsupported; VP8/VP9 ignore one', async (t) => {
  const no = async (config: VideoDecoderConfig, what: string) => t.equal((await VideoDecoder.isConfigSupported(config)).supported, false, what);
  await no({ codec: CODECS.avc, description: new Uint8Array([1, 66, 0, 31, 0xff, 0xe1, 0, 30, 0x67]) }, 'avcC SPS length past the end');
  await no({ codec: CODECS.hevc, description: new Uint8Array(10) }, 'hvcC too short');
  const hvcC = new Uint8Array(23);
  hvcC[0] = 1;
  hvcC[22] = 1; // one array, missing
  await no({ codec: CODECS.hevc, description: hvcC }, 'hvcC array past the end');
  await no({ codec: CODECS.av1, description: new Uint8Array([1, 2, 3, 4]) }, 'av1C without marker/version');
  t.equal((await VideoDecoder.isConfigSupported({ codec: CODECS.vp9, description: new Uint8Array([1]) })).supported, true, 'VP9 description not used');
  t.equal((await VideoDecoder.isConfigSupported({ codec: 'vp09.01.30.08' })).supported, true, 'VP9 profile 1 decodes');
  t.equal((await VideoDecoder.isConfigSupported({ codec: 'vp09.03.30.10' })).supported, true, 'VP9 profile 3 decodes');
  t.equal((await VideoDecoder.isConfigSupported({ codec: CODECS.av1, hardwareAcceleration: 'prefer-hardware' })).supported, false);
});

t.test('VP9 profiles 1 and 3 (4:4:4) round trip', async (t) => {
  for (const [codec, format] of [
    ['vp09.01.30.08.03.01.01.01.00', 'I444'],
    ['vp09.03.30.10.03.01.01.01.00', 'I444P10'],
  ] as const) {
    const { chunks, configs } = await encode({ codec, width: 160, height: 96, latencyMode: 'realtime' }, 3);
    const { frames, error } = await decode(configs[0]!, chunks);
    t.equal(error, null);
    t.equal(frames.length, 3);
    t.equal(frames[0]!.format, format, `${codec} decodes to ${format}`);
    closeAll(frames);
  }
});

// Damaged input. What is asserted, per decoder: the damaged chunks never crash the process; a
// chunk cut in half or with bytes flipped in its body either closes the decoder with an
// EncodingError through the error callback (never any other error), or, where the format is
// resilient and the decoder conceals, it decodes without error. Either way a new decoder (and the
// same one after reset() and configure()) decodes the intact stream completely afterwards.
for (const kind of KINDS) {
  t.test(`${kind}: truncated and bit-flipped chunks give EncodingError or decode; a fresh configure decodes again`, async (t) => {
    const { chunks, configs } = await encode({ codec: CODECS[kind], width: 160, height: 96, latencyMode: 'realtime' }, 6);
    const config = configs[0]!;
    const damaged = (mutate: (d: Uint8Array) => Uint8Array) =>
      chunks.map((c, i) => (i === 0 ? c : new EncodedVideoChunk({ type: c.type, timestamp: c.timestamp, duration: c.duration ?? undefined, data: mutate(bytesOf(c)) })));
    const variants: [string, EncodedVideoChunk[]][] = [
      ['truncated', damaged((d) => d.subarray(0, Math.max(1, d.length >> 1)))],
      [
        'bit-flipped',
        damaged((d) => {
          const copy = d.slice();
          for (let i = Math.min(16, copy.length - 1); i < copy.length; i += 7) copy[i] ^= 0x5a;
          return copy;
        }),
      ],
      [
        'key chunk flipped',
        chunks.map((c, i) => {
          if (i !== 0) return c;
          const copy = bytesOf(c);
          for (let j = Math.min(32, copy.length - 1); j < copy.length; j += 5) copy[j] ^= 0xff;
          return new EncodedVideoChunk({ type: 'key', timestamp: c.timestamp, data: copy });
        }),
      ],
    ];
    for (const [what, input] of variants) {
      let frames: VideoFrame[] = [];
      let error: DOMException | null = null;
      const decoder = new VideoDecoder({ output: (f) => frames.push(f), error: (e) => (error = e) });
      decoder.configure(config);
      for (const chunk of input) {
        if (decoder.state !== 'configured') break;
        decoder.decode(chunk);
      }
      await decoder.flush().catch(() => {});
      const outcome = error === null ? `decoded ${frames.length} frames` : `${(error as DOMException).name}`;
      t.ok(error === null || (error as DOMException).name === 'EncodingError', `${what}: ${outcome}`);
      if (error !== null) t.equal(decoder.state, 'closed', `${what}: the error closed the decoder`);
      closeAll(frames);
      frames = [];
      if (decoder.state === 'closed') {
        const again = await decode(config, chunks);
        t.equal(again.error, null, `${what}: a new decoder decodes the intact stream`);
        t.equal(again.frames.length, 6);
        closeAll(again.frames);
      } else {
        decoder.reset();
        decoder.configure(config);
        for (const chunk of chunks) decoder.decode(chunk);
        await decoder.flush();
        t.equal(error, null);
        t.equal(frames.length, 6, `${what}: the same decoder, reset() and configured again, decodes the intact stream`);
        closeAll(frames);
        decoder.close();
      }
    }
  });
}
