// The native side of a VideoFrame or AudioData: one reference to a reference-counted AVFrame.
// clone() adds a reference, close() drops it at once, an encoder takes its own reference; pixel
// and sample data are never copied except by copyTo and by construction from JavaScript memory.
#pragma once

#include <napi.h>

#include "ffmpeg.h"

namespace wcs {

class NativeFrame : public Napi::ObjectWrap<NativeFrame> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  // Wraps `frame` (takes ownership) in a new JavaScript NativeFrame.
  static Napi::Object Wrap(Napi::Env env, FramePtr frame);
  static NativeFrame* FromValue(const Napi::Value& value);

  explicit NativeFrame(const Napi::CallbackInfo& info);
  ~NativeFrame() override;

  // The frame, or nullptr once closed.
  const AVFrame* frame() const { return frame_.get(); }

 private:
  void Adopt(Napi::Env env, FramePtr frame);
  void Release(Napi::Env env);
  bool IsAudio() const;

  static Napi::Value FromVideoBuffer(const Napi::CallbackInfo& info);
  static Napi::Value FromAudioBuffer(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Clone(const Napi::CallbackInfo& info);
  Napi::Value CopyTo(const Napi::CallbackInfo& info);
  Napi::Value CopyToSync(const Napi::CallbackInfo& info);
  Napi::Value ConvertTo(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value ByteLength(const Napi::CallbackInfo& info);

  FramePtr frame_;
  int64_t bytes_ = 0;
};

}  // namespace wcs
