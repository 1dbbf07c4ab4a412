// Placeholder until the direct aom encoder lands (the plan still routes to FFmpeg's wrapper).
#include "frame_encoder.h"

namespace wcs {

std::unique_ptr<FrameEncoder> OpenAomFrameEncoder(const EncoderSetup& setup) {
  ThrowCodecError("NotSupportedError", "the direct aom encoder is not built yet");
}

}  // namespace wcs
