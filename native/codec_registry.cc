// Maps a role name to the core that implements it.
#include "audio_decoder_core.h"
#include "audio_encoder_core.h"
#include "codec_core.h"
#include "image_decoder_core.h"
#include "video_decoder_core.h"
#include "video_encoder_core.h"

namespace wcs {

std::unique_ptr<CodecCore> CreateTestCodecCore();

std::unique_ptr<CodecCore> CreateCodecCore(const std::string& role) {
  if (role == "video-encoder") return std::make_unique<VideoEncoderCore>();
  if (role == "video-decoder") return std::make_unique<VideoDecoderCore>();
  if (role == "audio-encoder") return std::make_unique<AudioEncoderCore>();
  if (role == "audio-decoder") return std::make_unique<AudioDecoderCore>();
  if (role == "image-decoder") return CreateImageDecoderCore();
  if (role == "test") return CreateTestCodecCore();
  return nullptr;
}

}  // namespace wcs
