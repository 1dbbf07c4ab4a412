// One video encoder library behind VideoEncoderCore. The core does what every encoder shares
// (colour, cropping, scaling to the configured size and format, timestamps, the temporal layer
// pattern, decoderConfig metadata); a FrameEncoder only turns frames into packets with its library:
//   lavc_frame_encoder.cc  libavcodec (libx265, libvpx VP8/VP9)
//   x264_frame_encoder.cc  libx264 directly: per-frame QP and reference invalidation (temporal
//                          layers), which FFmpeg 5.1's wrapper does not expose
//   aom_frame_encoder.cc   libaom directly: per-frame quantizer and SVC temporal layers, which
//                          FFmpeg 5.1's wrapper does not expose
// Runs on the codec's worker thread only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "codec_core.h"

namespace wcs {

// The colour description signalled in the bitstream: H.273 code points, 2 = unspecified.
struct VideoColour {
  int primaries = 2;
  int transfer = 2;
  int matrix = 2;
  int range = 0;  // AVColorRange: 0 unspecified, 1 limited, 2 full
  bool operator==(const VideoColour& o) const {
    return primaries == o.primaries && transfer == o.transfer && matrix == o.matrix && range == o.range;
  }
  bool operator!=(const VideoColour& o) const { return !(*this == o); }
};

// Everything an encoder is opened with. `config` is the plan JavaScript built and validated
// (src/codecs/config/video-codecs.ts): encoder, codec, profile, level, tier, bitrate, bitrateMode
// ("constant" | "variable" | "quantizer"), latencyMode ("quality" | "realtime"), keyInterval,
// threads, contentHint, screenContent, ... Frames arrive already at width x height in pixelFormat.
struct EncoderSetup {
  ConfigMap config;
  int width = 0;
  int height = 0;
  AVPixelFormat pixelFormat = AV_PIX_FMT_YUV420P;
  // Frames are counted in 1/framerate: frame pts are 0, 1, 2, ... in sending order.
  AVRational framerate{30, 1};
  AVRational sampleAspect{0, 1};  // from displayWidth/displayHeight; 0/1 = square / unspecified
  VideoColour colour;
  // Parameter sets out of band ("avc"/"hevc" formats): Headers() returns them and key frames do
  // not repeat them. Otherwise (annexb, VPx, AV1) the stream carries its own headers.
  bool globalHeader = false;
  // 1 (no layering), 2 (L1T2) or 3 (L1T3); see TemporalLayerAt.
  int temporalLayers = 1;
};

// latencyMode "realtime" (else "quality", the spec's default): faster presets. Both modes encode
// each frame as it arrives (no lookahead, no reordering).
inline bool RealtimeLatency(const ConfigMap& config) { return config.String("latencyMode", "quality") == "realtime"; }
// bitrateMode "quantizer": every frame is coded at its own quantizer (FrameControls::quantizer).
inline bool QuantizerMode(const ConfigMap& config) { return config.String("bitrateMode", "variable") == "quantizer"; }

// The temporal layer of the frame at `position` in the layer pattern (restarted by key frames):
// L1T2 0,1,0,1,...; L1T3 0,2,1,2,0,2,1,2,... Lower layers never reference higher ones, so a
// receiver can drop the upper layers and still decode.
inline int TemporalLayerAt(int layers, int64_t position) {
  static const int kThree[] = {0, 2, 1, 2};
  if (layers <= 1) return 0;
  if (layers == 2) return static_cast<int>(position % 2);
  return kThree[position % 4];
}

// Per-frame choices (VideoEncoderEncodeOptions and the layer pattern).
struct FrameControls {
  bool keyFrame = false;
  // Quantizer mode only: the registration's per-frame quantizer (H.264/HEVC QP 0..51, VP9 and AV1
  // quantizer index 0..255, see QuantizerForIndex); nullopt when the frame has none (the encoder
  // uses its default).
  std::optional<int> quantizer;
  int64_t layerPosition = 0;  // position in the temporal pattern (0 for a key frame)
  int temporalLayer = 0;      // TemporalLayerAt(temporalLayers, layerPosition)
};

// The VP9 and AV1 registrations' per-frame quantizer is a quantizer index (0..255); libvpx and
// libaom take quantizers on their 0..63 scale, whose indices are 4q up to q = 61, then 249 and 255
// (their quantizer_to_qindex tables). The q whose index is nearest to `qindex`.
inline int QuantizerForIndex(int64_t qindex) {
  if (qindex >= 254) return 63;
  if (qindex <= 0) return 0;
  return static_cast<int>(std::min<int64_t>(62, (qindex + 2) / 4));
}

class FrameEncoder {
 public:
  virtual ~FrameEncoder() = default;
  // Encodes one frame (pts set as EncoderSetup says), or, with nullptr, starts draining: the
  // encoder is not given frames again afterwards (VideoEncoderCore opens a new one). Throws
  // CodecError (EncodingError) when the library fails.
  virtual void Send(AVFrame* frame, const FrameControls& controls) = 0;
  // The next encoded packet, if one is ready: its pts is the pts of the frame it encodes,
  // AV_PKT_FLAG_KEY marks frames a decoder can start at, data is Annex B for H.264/HEVC (the core
  // converts to length-prefixed for avc/hevc formats), alpha rides as
  // AV_PKT_DATA_MATROSKA_BLOCKADDITIONAL side data. Returns false when none is ready.
  virtual bool Receive(AVPacket* packet) = 0;
  // With EncoderSetup::globalHeader: the parameter sets (Annex B), available right after opening.
  virtual std::vector<uint8_t> Headers() const = 0;
};

// The encoder for `setup.config`'s "encoder": a library this addon links (codec_registry.cc), or
// else that libavcodec encoder. Each throws CodecError (NotSupportedError) when the library
// rejects the setup.
std::unique_ptr<FrameEncoder> OpenFrameEncoder(const EncoderSetup& setup);
std::unique_ptr<FrameEncoder> OpenLavcFrameEncoder(const EncoderSetup& setup);
std::unique_ptr<FrameEncoder> OpenX264FrameEncoder(const EncoderSetup& setup);
std::unique_ptr<FrameEncoder> OpenAomFrameEncoder(const EncoderSetup& setup);

}  // namespace wcs
