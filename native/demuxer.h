// The native side of the Demuxer: libavformat reading and parsing on the object's own thread
// (avio_worker.h), pulled by JavaScript one batch of packets at a time.
//
//   new Demuxer(); d.onevents = (events) => ...
//   d.open({ path?, format? })     -> { type: 'opened', format, streams } | { type: 'error', code, message }
//   d.read(maxPackets, maxBytes)   -> { type: 'packets', packets, end } | { type: 'error', ... }
//   d.push(bytes) / d.end() / d.fail(message)  answer { type: 'need-data' } when reading a stream
//   d.close()                      -> { type: 'closed' }
//
// Timestamps leave here in microseconds (rounded to the nearest from the stream's time base).
#pragma once

#include <napi.h>

#include <memory>

#include "avio_source.h"
#include "avio_worker.h"

namespace wcs {

struct DemuxState;

class Demuxer : public Napi::ObjectWrap<Demuxer> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit Demuxer(const Napi::CallbackInfo& info);
  ~Demuxer() override;

 private:
  Napi::Value Open(const Napi::CallbackInfo& info);
  Napi::Value Read(const Napi::CallbackInfo& info);
  Napi::Value Push(const Napi::CallbackInfo& info);
  Napi::Value End(const Napi::CallbackInfo& info);
  Napi::Value Fail(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<DemuxState> state_;  // FFmpeg objects: used on the worker thread only
  std::shared_ptr<AvioSource> source_;
  std::shared_ptr<AvioWorker> worker_;
};

}  // namespace wcs
