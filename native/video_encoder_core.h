#pragma once

#include <map>

#include "codec_core.h"
#include "codec_outputs.h"

namespace wcs {

class VideoEncoderCore : public CodecCore {
 public:
  ~VideoEncoderCore() override;
  void Configure(const ConfigMap& config, const OutputSink& out) override;
  void Send(CodecInput& input, const OutputSink& out) override;
  void Drain(const OutputSink& out) override;

  // The colour description signalled in the bitstream: H.273 code points, 2 = unspecified.
  struct Colour {
    int primaries = 2;
    int transfer = 2;
    int matrix = 2;
    int range = 0;  // AVColorRange: 0 unspecified, 1 limited, 2 full
    bool operator==(const Colour& o) const {
      return primaries == o.primaries && transfer == o.transfer && matrix == o.matrix && range == o.range;
    }
    bool operator!=(const Colour& o) const { return !(*this == o); }
  };

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
  // Opened with the first frame's colour (encoders write it into the sequence header).
  Colour colour_;
  bool framesSent_ = false;
  // Temporal layering: the position in the layer pattern and each input's layer by pts.
  int temporalLayers_ = 1;
  int64_t layerIndex_ = 0;
  std::map<int64_t, int> layerOfPts_;
};

}  // namespace wcs
