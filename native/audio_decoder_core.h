#pragma once

#include "codec_core.h"
#include "codec_outputs.h"

namespace wcs {

class AudioDecoderCore : public CodecCore {
 public:
  void Configure(const ConfigMap& config, const OutputSink& out) override;
  void Send(CodecInput& input, const OutputSink& out) override;
  void Drain(const OutputSink& out) override;

 private:
  void Receive(const OutputSink& out);
  FramePtr ToWebCodecsLayout(FramePtr frame);

  CodecContextPtr context_;
  SwrPtr swr_;
  AVSampleFormat swrInput_ = AV_SAMPLE_FMT_NONE;
  // Output timestamps: the first chunk's timestamp since configure/flush plus samples output.
  std::optional<int64_t> baseTimestamp_;
  std::optional<int64_t> ptsOffset_;  // the decoder's own timestamp shift (dropped priming)
  int64_t samplesOut_ = 0;
  int rate_ = 0;
};

}  // namespace wcs
