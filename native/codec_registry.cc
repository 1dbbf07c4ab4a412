// Maps a role name to the core that implements it, and an encoder name to the library that
// encodes it: the libraries this addon links directly, else libavcodec.
#include "audio_decoder_core.h"
#include "audio_encoder_core.h"
#include "audio_packet_encoder.h"
#include "codec_core.h"
#include "frame_encoder.h"
#include "image_decoder_core.h"
#include "video_decoder_core.h"
#include "video_encoder_core.h"

namespace wcs {

std::unique_ptr<CodecCore> CreateTestCodecCore();

namespace {

// Encoders linked directly: FFmpeg 5.1's wrappers expose no per-frame quantizer or reference
// control for x264 and libaom, and no DTX or signal type for libopus. One path per codec: these
// names are never opened through libavcodec.
struct LinkedVideoEncoder {
  const char* name;
  std::unique_ptr<FrameEncoder> (*open)(const EncoderSetup&);
};
const LinkedVideoEncoder kLinkedVideoEncoders[] = {{"x264", OpenX264FrameEncoder}, {"aom", OpenAomFrameEncoder}};

struct LinkedAudioEncoder {
  const char* name;
  std::unique_ptr<AudioPacketEncoder> (*open)(const AudioEncoderSetup&);
};
const LinkedAudioEncoder kLinkedAudioEncoders[] = {{"libopus", OpenOpusPacketEncoder}};

}  // namespace

std::unique_ptr<FrameEncoder> OpenFrameEncoder(const EncoderSetup& setup) {
  const std::string name = setup.config.String("encoder");
  for (const LinkedVideoEncoder& e : kLinkedVideoEncoders) {
    if (name == e.name) return e.open(setup);
  }
  return OpenLavcFrameEncoder(setup);
}

std::unique_ptr<AudioPacketEncoder> OpenAudioPacketEncoder(const AudioEncoderSetup& setup) {
  const std::string name = setup.config.String("encoder");
  for (const LinkedAudioEncoder& e : kLinkedAudioEncoders) {
    if (name == e.name) return e.open(setup);
  }
  return OpenLavcAudioPacketEncoder(setup);
}

bool IsLinkedEncoder(const std::string& name) {
  for (const LinkedVideoEncoder& e : kLinkedVideoEncoders) {
    if (name == e.name) return true;
  }
  for (const LinkedAudioEncoder& e : kLinkedAudioEncoders) {
    if (name == e.name) return true;
  }
  return false;
}

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
