// Code written for a browser: every WebCodecs name below is lib.dom's global (no import of this
// package's types), and `webcodecs-streams/global` supplies the implementations at run time.
// `tsc -p test/types` (run by lib-dom.test.ts) compiles this file with lib.dom; tap runs it.
import t from 'tap';
import 'webcodecs-streams/global';

const WIDTH = 64;
const HEIGHT = 48;

async function encode(frameCount: number): Promise<{ chunks: EncodedVideoChunk[]; decoderConfig: VideoDecoderConfig; support: VideoEncoderSupport }> {
  const chunks: EncodedVideoChunk[] = [];
  let decoderConfig: VideoDecoderConfig | undefined;
  const init: VideoEncoderInit = {
    output: (chunk: EncodedVideoChunk, metadata?: EncodedVideoChunkMetadata) => {
      chunks.push(chunk);
      if (metadata?.decoderConfig !== undefined) decoderConfig = metadata.decoderConfig;
    },
    error: (error: DOMException) => {
      throw error;
    },
  };
  const config: VideoEncoderConfig = { codec: 'avc1.42001f', width: WIDTH, height: HEIGHT, bitrate: 200_000, framerate: 30 };
  const support: VideoEncoderSupport = await VideoEncoder.isConfigSupported(config);
  const enc: VideoEncoder = new VideoEncoder(init);
  enc.configure(config);
  for (let i = 0; i < frameCount; i++) {
    const frameInit: VideoFrameBufferInit = { format: 'I420', codedWidth: WIDTH, codedHeight: HEIGHT, timestamp: i * 33_333, duration: 33_333 };
    const frame: VideoFrame = new VideoFrame(new Uint8Array((WIDTH * HEIGHT * 3) / 2).fill(16 + i * 8), frameInit);
    const options: VideoEncoderEncodeOptions = { keyFrame: i === 0 };
    enc.encode(frame, options);
    frame.close();
  }
  await enc.flush();
  enc.close();
  if (decoderConfig === undefined) throw new Error('the encoder gave no decoderConfig');
  return { chunks, decoderConfig, support };
}

async function decode(chunks: EncodedVideoChunk[], config: VideoDecoderConfig): Promise<{ timestamps: number[]; formats: (VideoPixelFormat | null)[] }> {
  const timestamps: number[] = [];
  const formats: (VideoPixelFormat | null)[] = [];
  const dec: VideoDecoder = new VideoDecoder({
    output: (frame: VideoFrame) => {
      timestamps.push(frame.timestamp);
      formats.push(frame.format);
      frame.close();
    },
    error: (error: DOMException) => {
      throw error;
    },
  });
  dec.configure(config);
  for (const chunk of chunks) dec.decode(chunk);
  await dec.flush();
  const state: CodecState = dec.state;
  dec.close();
  if (state !== 'configured') throw new Error(`decoder state ${state}`);
  return { timestamps, formats };
}

t.test('browser-style code typed with lib.dom runs on webcodecs-streams/global', async (t) => {
  const { chunks, decoderConfig, support } = await encode(10);
  t.equal(support.supported, true);
  t.equal(chunks.length, 10);
  const firstType: EncodedVideoChunkType = chunks[0]!.type;
  t.equal(firstType, 'key');
  t.equal(decoderConfig.codec, 'avc1.42001f');
  const copy = new EncodedVideoChunk({ type: chunks[0]!.type, timestamp: chunks[0]!.timestamp, data: new Uint8Array(chunks[0]!.byteLength) });
  t.equal(copy.byteLength, chunks[0]!.byteLength, 'EncodedVideoChunk from an EncodedVideoChunkInit');
  const { timestamps, formats } = await decode(chunks, decoderConfig);
  t.same(timestamps, Array.from({ length: 10 }, (_, i) => i * 33_333));
  t.ok(formats.every((format) => format === 'I420'));
  t.equal(await ImageDecoder.isTypeSupported('image/png'), true, 'ImageDecoder is a global too');
});
