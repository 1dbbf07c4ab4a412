// Per-environment state of the addon (one per main thread or worker_threads Worker), kept as
// Node-API instance data so the addon is context-aware: nothing JavaScript-related is global.
#pragma once

#include <napi.h>

#include <memory>
#include <mutex>
#include <set>

namespace wcs {

class WorkerThreadBase;

struct AddonData {
  Napi::FunctionReference nativeFrameClass;
  // Workers (codecs, demuxers, muxers: worker_thread.h) whose thread has not been joined yet;
  // stopped by the environment cleanup hook when the process or a worker_threads Worker ends.
  std::set<std::shared_ptr<WorkerThreadBase>> liveWorkers;
  bool tearingDown = false;
  napi_env env = nullptr;

  static AddonData* Of(Napi::Env env) { return env.GetInstanceData<AddonData>(); }
};

}  // namespace wcs
