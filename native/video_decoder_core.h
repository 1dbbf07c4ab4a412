#pragma once

#include "codec_core.h"
#include "codec_outputs.h"

namespace wcs {

class VideoDecoderCore : public CodecCore {
 public:
  void Configure(const ConfigMap& config, const OutputSink& out) override;
  void Send(CodecInput& input, const OutputSink& out) override;
  void Drain(const OutputSink& out) override;

 private:
  void Receive(const OutputSink& out);
  FramePtr ToNamedFormat(FramePtr frame);

  std::string kind_;       // the codec family ("avc", "vp8", "av1", ...) for InvalidChunkReason
  int nalLengthSize_ = 0;  // H.264/HEVC: NAL length field size from avcC/hvcC, 0 for Annex B
  CodecContextPtr context_;
  SwsPtr sws_;
  TimestampMap timestamps_;
};

}  // namespace wcs
