// One audio encoder library behind AudioEncoderCore. The core does what every audio encoder
// shares (sample format and rate conversion, re-chunking into codec frames, exact timestamps,
// the encoder delay, the description); an AudioPacketEncoder only turns frames of samples into
// packets with its library:
//   lavc_audio_packet_encoder.cc  libavcodec (aac, flac, libmp3lame, libvorbis, the PCM family)
//   opus_packet_encoder.cc        libopus directly: DTX and the signal type, which FFmpeg 5.1's
//                                 libopus wrapper does not expose
// Runs on the codec's worker thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "codec_core.h"

namespace wcs {

// Everything an encoder is opened with. `config` is the plan JavaScript built and validated
// (src/codecs/config/audio-codecs.ts): encoder, bitrate, bitrateMode, compressionLevel, ...
struct AudioEncoderSetup {
  ConfigMap config;
  int sampleRate = 0;   // the codec's rate: frames arrive at it (the core resamples)
  int inputRate = 0;    // the AudioData's rate, for headers that record the original rate
  int channels = 0;     // in FFmpeg's default layout for the count
  // The sample format of the first AudioData: the encoder takes it if it can (FormatFor), so
  // nothing is converted.
  AVSampleFormat inputFormat = AV_SAMPLE_FMT_S16;
};

class AudioPacketEncoder {
 public:
  virtual ~AudioPacketEncoder() = default;
  // The sample format frames must be in.
  virtual AVSampleFormat SampleFormat() const = 0;
  // The sample format this encoder would choose for input in `input`; when it differs from
  // SampleFormat() before any audio was sent, the core opens a new encoder that spares a conversion.
  virtual AVSampleFormat FormatFor(AVSampleFormat input) const = 0;
  // Samples in each frame given to Send(); 0: any number (PCM).
  virtual int FrameSize() const = 0;
  // Whether the last frame before draining may be shorter than FrameSize(); otherwise the core
  // pads it with silence.
  virtual bool TakesShortLastFrame() const = 0;
  // Priming: samples decoders output before the first input sample (the Opus pre-skip).
  virtual int64_t Delay() const = 0;
  // The codec's setup bytes (AAC AudioSpecificConfig, FLAC STREAMINFO, Vorbis headers in Xiph
  // lacing, OpusHead); empty when the codec has none.
  virtual const std::vector<uint8_t>& Extradata() const = 0;
  // Encodes one frame (pts: codec samples since the first frame), or, with nullptr, drains: the
  // encoder is not given frames again afterwards (the core opens a new one). Throws CodecError
  // (EncodingError) when the library fails.
  virtual void Send(const AVFrame* frame) = 0;
  // The next packet, if one is ready: pts in codec samples on the frames' timeline, priming
  // first (the first packet of an encoder with Delay() D has pts -D or less), duration in codec
  // samples of decoder output it stands for. Returns false when none is ready.
  virtual bool Receive(AVPacket* packet) = 0;
};

// The encoder for `setup.config`'s "encoder": a library this addon links (codec_registry.cc:
// "libopus" is libopus itself), or else that libavcodec encoder. Throws CodecError (NotSupportedError) when the library rejects the setup.
std::unique_ptr<AudioPacketEncoder> OpenAudioPacketEncoder(const AudioEncoderSetup& setup);
std::unique_ptr<AudioPacketEncoder> OpenLavcAudioPacketEncoder(const AudioEncoderSetup& setup);
std::unique_ptr<AudioPacketEncoder> OpenOpusPacketEncoder(const AudioEncoderSetup& setup);

// The format to code input in `input` in, out of the formats an encoder takes (`formats`, not
// empty): the input's own format (or its other arrangement) when the encoder takes it, so
// nothing is converted; otherwise the narrowest format at least as wide, so nothing is lost
// (FLAC: f32/s32 input is coded as 24-bit); otherwise the widest.
AVSampleFormat ChooseSampleFormat(const std::vector<AVSampleFormat>& formats, AVSampleFormat input);

}  // namespace wcs
