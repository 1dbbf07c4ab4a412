#pragma once

extern "C" {
#include <libavutil/audio_fifo.h>
}

#include "audio_packet_encoder.h"
#include "codec_core.h"
#include "codec_outputs.h"

namespace wcs {

struct AudioFifoDeleter {
  void operator()(AVAudioFifo* fifo) const { av_audio_fifo_free(fifo); }
};
using AudioFifoPtr = std::unique_ptr<AVAudioFifo, AudioFifoDeleter>;

class AudioEncoderCore : public CodecCore {
 public:
  ~AudioEncoderCore() override;
  void Configure(const ConfigMap& config, const OutputSink& out) override;
  void Send(CodecInput& input, const OutputSink& out) override;
  void Drain(const OutputSink& out) override;

 private:
  void Open(AVSampleFormat inputFormat);
  void Queue(const AVFrame* frame);
  void Resample(const AVFrame* frame);
  FramePtr ConvertFormat(const AVFrame* frame);
  void EncodeQueued(bool final, const OutputSink& out);
  void Receive(const OutputSink& out);
  void Emit(const AVPacket* packet, const OutputSink& out);

  ConfigMap config_;
  std::unique_ptr<AudioPacketEncoder> encoder_;
  int inputRate_ = 0;
  int codecRate_ = 0;
  int channels_ = 0;
  AVChannelLayout layout_{};  // FFmpeg's default layout for channels_ (conversions keep it)
  AVSampleFormat sampleFormat_ = AV_SAMPLE_FMT_NONE;  // the encoder's
  // Input frames in the codec's sample format (and rate) until a whole codec frame is there.
  AudioFifoPtr fifo_;
  // Sample format conversion (stateless, rebuilt when the input format changes) and sample rate
  // conversion (stateful, one per stream; only when the codec runs at another rate).
  SwrPtr formatSwr_;
  AVSampleFormat formatSwrInput_ = AV_SAMPLE_FMT_NONE;
  SwrPtr rateSwr_;
  // The stream timeline: where inputs start, as (codec sample index, microseconds) anchors. The
  // first input sets the first anchor; an input whose timestamp is not where the samples before it
  // end (a gap in the timeline) adds one, so outputs keep their inputs' timestamps across gaps while
  // contiguous audio is timed by counting samples (exact, no rounding drift).
  std::optional<int64_t> baseTimestamp_;
  std::vector<std::pair<int64_t, int64_t>> anchors_;
  int64_t samplesQueued_ = 0;  // codec samples written into the FIFO since (re)opening
  int64_t TimestampAt(int64_t sample);
  int64_t samplesSent_ = 0;
  int64_t nextPacketStart_ = 0;
  std::optional<int64_t> firstPacketPts_;  // where the timeline starts, in codec samples
  int64_t delay_ = 0;  // priming samples decoders output before the first input sample
  std::optional<std::vector<uint8_t>> description_;
  std::vector<uint8_t> extradata_;  // the codec's setup (AAC: AudioSpecificConfig, read for ADTS headers)
  bool adts_ = false;
  bool announceConfig_ = false;
};

}  // namespace wcs
