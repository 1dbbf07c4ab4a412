// The interface between the generic codec worker (codec_worker.h) and the FFmpeg code for one
// role (video encoder, video decoder, audio encoder, audio decoder, test codec). The worker
// loop knows nothing about media; a core knows nothing about threads or JavaScript.
// Every method of a core runs on its codec's worker thread only.
#pragma once

#include <napi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config_map.h"
#include "ffmpeg.h"

namespace wcs {

// An error that closes the codec: `name` is the DOMException name JavaScript will use
// (EncodingError, NotSupportedError, DataError, ...), `message` says what happened and what to do.
struct CodecError {
  std::string name;
  std::string message;
};

[[noreturn]] inline void ThrowCodecError(const std::string& name, const std::string& message) {
  throw CodecError{name, message};
}

// One unit of work for a core: a frame to encode or a packet to decode.
struct CodecInput {
  FramePtr frame;    // encoders: a reference to the VideoFrame/AudioData's buffers (no copy)
  PacketPtr packet;  // decoders: the chunk's bytes
  int64_t timestamp = 0;
  std::optional<int64_t> duration;
  bool key = false;
  ConfigMap options;  // per-input options (keyFrame, quantizers, ...)
};

// Something a core produced. Converted to JavaScript on the main thread.
class CodecOutput {
 public:
  virtual ~CodecOutput() = default;
  virtual Napi::Value ToJS(Napi::Env env) = 0;
};

// Where a core sends its outputs; the worker tags them with the current generation.
using OutputSink = std::function<void(std::unique_ptr<CodecOutput>)>;

class CodecCore {
 public:
  virtual ~CodecCore() = default;
  // Set up (or reconfigure, in order) with a config JavaScript has validated. Throws CodecError
  // (NotSupportedError when the configuration cannot be honoured).
  virtual void Configure(const ConfigMap& config, const OutputSink& out) = 0;
  // Encode or decode one input; may emit zero or more outputs.
  virtual void Send(CodecInput& input, const OutputSink& out) = 0;
  // Emit every pending output ("flush"); the core stays usable afterwards.
  virtual void Drain(const OutputSink& out) = 0;
};

// Sends one packet to a decoder, taking its outputs (`receive`) whenever it is full, as FFmpeg's
// send/receive protocol asks; a packet the decoder rejects is an EncodingError naming its chunk.
inline void SendPacket(AVCodecContext* context, AVPacket* packet, int64_t timestamp, const std::function<void()>& receive) {
  for (;;) {
    const int err = avcodec_send_packet(context, packet);
    if (err == AVERROR(EAGAIN)) {
      receive();  // the decoder is full: take its outputs, then give it the packet again
      continue;
    }
    if (err < 0) {
      ThrowCodecError("EncodingError", "the chunk at timestamp " + std::to_string(timestamp) + " could not be decoded (" +
                                           AvErrorString(err) + "); it may be corrupt or not match the configuration");
    }
    return;
  }
}

// Creates the core for a role name ("video-encoder", "video-decoder", "audio-encoder",
// "audio-decoder", "test"); nullptr for unknown roles. Defined in codec_registry.cc.
std::unique_ptr<CodecCore> CreateCodecCore(const std::string& role);

// Whether `name` is an encoder library this addon links directly (x264, aom, libopus: used where
// FFmpeg 5.1's wrappers stop), available whatever FFmpeg was built with. Defined in
// codec_registry.cc, with the table that opens them.
bool IsLinkedEncoder(const std::string& name);

}  // namespace wcs
