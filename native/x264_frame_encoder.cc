// Placeholder until the direct x264 encoder lands (the plan still routes to FFmpeg's wrapper).
#include "frame_encoder.h"

namespace wcs {

std::unique_ptr<FrameEncoder> OpenX264FrameEncoder(const EncoderSetup& setup) {
  ThrowCodecError("NotSupportedError", "the direct x264 encoder is not built yet");
}

}  // namespace wcs
