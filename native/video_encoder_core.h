#pragma once

#include "codec_core.h"
#include "codec_outputs.h"

namespace wcs {

class VideoEncoderCore : public CodecCore {
 public:
  ~VideoEncoderCore() override;
  void Configure(const ConfigMap& config, const OutputSink& out) override;
  void Send(CodecInput& input, const OutputSink& out) override;
  void Drain(const OutputSink& out) override;

 private:
  void Open();
  void Receive(const OutputSink& out);
  FramePtr Convert(const AVFrame* src);

  ConfigMap config_;
  CodecContextPtr context_;
  SwsPtr sws_;
  TimestampMap timestamps_;
  AVPixelFormat pixelFormat_ = AV_PIX_FMT_YUV420P;
  int width_ = 0;
  int height_ = 0;
  std::string bitstream_;
  std::optional<std::vector<uint8_t>> description_;
  bool announceConfig_ = false;
};

}  // namespace wcs
