// Maps a role name to the core that implements it.
#include "codec_core.h"
#include "video_decoder_core.h"
#include "video_encoder_core.h"

namespace wcs {

std::unique_ptr<CodecCore> CreateTestCodecCore();

std::unique_ptr<CodecCore> CreateCodecCore(const std::string& role) {
  if (role == "video-encoder") return std::make_unique<VideoEncoderCore>();
  if (role == "video-decoder") return std::make_unique<VideoDecoderCore>();
  if (role == "test") return CreateTestCodecCore();
  return nullptr;
}

}  // namespace wcs
