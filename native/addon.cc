// Module entry: per-environment instance data, the exported classes and functions, and the
// environment cleanup hook that stops codec and container threads when the process or a Worker
// ends.
#include <napi.h>

#include <cstdlib>

#include "addon_data.h"
#include "adopted_buffer.h"
#include "codec_core.h"
#include "codec_worker.h"
#include "config_probe.h"
#include "demuxer.h"
#include "ffmpeg.h"
#include "live_counters.h"
#include "muxer.h"
#include "native_frame.h"

namespace wcs {
namespace {

void StopAllWorkers(void* arg) {
  auto* data = static_cast<AddonData*>(arg);
  data->tearingDown = true;
  ForgetReleasedBuffers(data->env);
  // Joining here may wait for an encode in progress to finish; the environment is ending, so
  // this is the one place a join on a busy thread is acceptable (it cannot hang: Close is next).
  std::set<std::shared_ptr<WorkerThreadBase>> workers;
  workers.swap(data->liveWorkers);
  for (const auto& worker : workers) worker->DetachAndJoin();
}

Napi::Value LiveCountersValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("videoFrames", static_cast<double>(Counters().videoFrames.load()));
  out.Set("videoFrameBytes", static_cast<double>(Counters().videoFrameBytes.load()));
  out.Set("audioData", static_cast<double>(Counters().audioData.load()));
  out.Set("audioDataBytes", static_cast<double>(Counters().audioDataBytes.load()));
  out.Set("codecs", static_cast<double>(Counters().codecs.load()));
  return out;
}

Napi::Value HasEncoder(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (IsLinkedEncoder(name)) return Napi::Boolean::New(info.Env(), true);
  return Napi::Boolean::New(info.Env(), avcodec_find_encoder_by_name(name.c_str()) != nullptr);
}

Napi::Value HasDecoder(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(info.Env(), avcodec_find_decoder_by_name(name.c_str()) != nullptr);
}

Napi::Value Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  auto version = [](unsigned v) {
    return std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xff) + "." + std::to_string(v & 0xff);
  };
  out.Set("ffmpeg", av_version_info());
  out.Set("libavcodec", version(avcodec_version()));
  out.Set("libavformat", version(avformat_version()));
  out.Set("libavutil", version(avutil_version()));
  out.Set("libswscale", version(swscale_version()));
  out.Set("libswresample", version(swresample_version()));
  return out;
}

}  // namespace

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->env = env;
  env.SetInstanceData<AddonData>(data);  // deleted by Node-API when the environment ends
  napi_add_env_cleanup_hook(env, StopAllWorkers, data);
  // FFmpeg's own log lines would go to stderr of every process using the library; errors reach
  // users as DOMExceptions instead. WEBCODECS_STREAMS_FFMPEG_LOG=<level> (e.g. 16 = error, 32 =
  // info, 48 = debug) turns them on for debugging.
  const char* logLevel = std::getenv("WEBCODECS_STREAMS_FFMPEG_LOG");
  av_log_set_level(logLevel != nullptr ? std::atoi(logLevel) : AV_LOG_QUIET);

  Napi::Function frameClass = NativeFrame::DefineClass(env);
  data->nativeFrameClass = Napi::Persistent(frameClass);
  exports.Set("NativeFrame", frameClass);
  exports.Set("CodecWorker", CodecWorker::DefineClass(env));
  exports.Set("Demuxer", Demuxer::DefineClass(env));
  exports.Set("Muxer", Muxer::DefineClass(env));
  exports.Set("probeConfig", Napi::Function::New(env, ProbeConfig));
  exports.Set("liveCounters", Napi::Function::New(env, LiveCountersValue));
  exports.Set("hasEncoder", Napi::Function::New(env, HasEncoder));
  exports.Set("hasDecoder", Napi::Function::New(env, HasDecoder));
  exports.Set("versions", Napi::Function::New(env, Versions));
  return exports;
}

}  // namespace wcs

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return wcs::InitAddon(env, exports); }

NODE_API_MODULE(webcodecs_streams, Init)
