#include "worker_thread.h"

namespace wcs {

WorkerChannel OpenWorkerChannel(Napi::Env env, const char* name, std::shared_ptr<WorkerThreadBase> worker) {
  WorkerChannel channel = WorkerChannel::New(env, name, 0, 1, new WorkerChannelContext{std::move(worker)},
                                             [](Napi::Env, void*, WorkerChannelContext* context) { delete context; });
  channel.Unref(env);  // an idle worker does not hold the process open
  return channel;
}

void DeliverWorkerEvents(Napi::Env env, Napi::Function, WorkerChannelContext* context, void*) {
  // Environment teardown: Node may have run the channel's finalizer (deleting `context`) before it
  // flushes the queued calls with a null env, so `context` must not be touched. Undelivered events
  // are freed with the worker.
  if (env == nullptr) return;
  std::shared_ptr<WorkerThreadBase> worker = context->worker;
  worker->DeliverOutbox(env, worker);
}

}  // namespace wcs
