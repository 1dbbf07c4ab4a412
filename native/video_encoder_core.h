#pragma once

#include <map>

#include "codec_core.h"
#include "codec_outputs.h"
#include "frame_encoder.h"

namespace wcs {

// VideoEncoder's core: what every encoder library shares (opening with the first frame's colour,
// cropping to the visible rect, scaling to the configured size and format, timestamps, the
// temporal layer pattern and the decoderConfig metadata). The library itself is a FrameEncoder.
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
  EncoderSetup setup_;
  std::unique_ptr<FrameEncoder> encoder_;
  SwsPtr sws_;
  TimestampMap timestamps_;
  std::string bitstream_;
  std::optional<std::vector<uint8_t>> description_;
  bool announceConfig_ = false;
  bool framesSent_ = false;
  // Temporal layering: the position in the layer pattern and each input's layer by pts.
  int64_t layerPosition_ = 0;
  std::map<int64_t, int> layerOfPts_;
};

}  // namespace wcs
