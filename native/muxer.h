// The native side of the Muxer: libavformat writing on the object's own thread (avio_worker.h).
//
//   new Muxer(); m.onevents = (events) => ...
//   m.open({ format, path?, options, tracks })  -> { type: 'opened' } | { type: 'error', code, message }
//   m.write(track, data, pts, dts, duration, key) -> false when the inbox is full ({ type: 'room' } follows)
//   m.finish()                                   -> { type: 'finished' } (trailer written, file closed)
//   m.ack(bytes)                                 the reader took bytes of { type: 'data', bytes }
//   m.close()                                    -> { type: 'closed' }
//
// Without a path, the file's bytes leave as 'data' events (append-only formats only); with a
// path, FFmpeg's seekable file I/O writes it (formats that rewrite their header, e.g. MP4 with
// +faststart). Timestamps arrive in microseconds and are rounded to each stream's time base.
#pragma once

#include <napi.h>

#include <memory>

#include "avio_sink.h"
#include "avio_worker.h"

namespace wcs {

struct MuxState;

class Muxer : public Napi::ObjectWrap<Muxer> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit Muxer(const Napi::CallbackInfo& info);
  ~Muxer() override;

 private:
  Napi::Value Open(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Finish(const Napi::CallbackInfo& info);
  Napi::Value Ack(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<MuxState> state_;  // FFmpeg objects: used on the worker thread only
  std::shared_ptr<AvioSink> sink_;
  std::shared_ptr<AvioWorker> worker_;
};

}  // namespace wcs
