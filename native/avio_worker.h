// A background thread for one libavformat object (a demuxer or a muxer): the same threading
// pattern as the codec worker (codec_worker.h), in a form both container classes share.
//
// - Jobs (closures) run in order on the object's own thread; the FFmpeg context is created, used
//   and freed there only. JavaScript posts a job under a short lock and never waits on the thread.
// - Everything the thread reports is an Event: a closure that builds the JavaScript value on the
//   main thread. Events go through one thread-safe function, in order, batched while the event
//   loop is busy, to the owner object's `onevents(events)` method.
// - While jobs are pending, the owner's JavaScript object is strongly held and the thread-safe
//   function keeps the event loop alive; an idle worker does neither, so an idle object that
//   nothing references is collected (its destructor posts Close) and never holds the process open.
// - An environment cleanup hook stops and joins the thread when the process or a
//   `worker_threads` Worker ends (registered per worker: the codec workers' list in AddonData is
//   typed to their own class).
#pragma once

#include <napi.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wcs {

// Main-thread side of the object that owns a worker (the Demuxer or Muxer ObjectWrap).
class AvioOwner {
 public:
  virtual ~AvioOwner() = default;
  virtual Napi::Object Self() = 0;
  // Strongly reference (true) or release (false) the JavaScript object.
  virtual void Hold(bool hold) = 0;
};

// The JavaScript class of a container object (Demuxer, Muxer): an ObjectWrap that is its worker's
// owner, held strongly while the worker has jobs pending.
template <typename T>
class AvioObject : public Napi::ObjectWrap<T>, public AvioOwner {
 public:
  explicit AvioObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}
  Napi::Object Self() override { return this->Value(); }
  void Hold(bool hold) override {
    if (hold) {
      this->Ref();
    } else {
      this->Unref();
    }
  }
};

class AvioWorker;
struct AvioChannelContext {
  std::shared_ptr<AvioWorker> worker;
};
void DeliverAvioEvents(Napi::Env env, Napi::Function unused, AvioChannelContext* context, void* data);
using AvioChannel = Napi::TypedThreadSafeFunction<AvioChannelContext, void, DeliverAvioEvents>;

class AvioWorker {
 public:
  using Job = std::function<void()>;
  using Event = std::function<Napi::Value(Napi::Env)>;

  // `inputCapacity`: how many jobs posted with `counted` may wait in the inbox before Post refuses
  // them (and a {type:'room'} event follows once there is room again). `close` frees the FFmpeg
  // object on the thread; `cancel` (main thread) wakes a job blocked waiting for JavaScript.
  static std::shared_ptr<AvioWorker> Start(Napi::Env env, AvioOwner* owner, const char* name, size_t inputCapacity,
                                           std::function<void()> close, std::function<void()> cancel);
  ~AvioWorker();

  // Main thread. False when `counted` and the inbox is full.
  bool Post(Job job, bool counted = false);
  // Main thread: cancel, drop queued jobs, then run `close` on the thread and stop. Safe to repeat.
  void Close();
  // Main thread: the owner object is being collected; no more events reach it.
  void Detach();

  // Worker thread: report something to JavaScript.
  void Emit(Event event);

 private:
  friend void DeliverAvioEvents(Napi::Env, Napi::Function, AvioChannelContext*, void*);
  struct Queued {
    Job job;
    bool counted;
    bool stop;  // the Close job: the thread ends after it
  };
  AvioWorker(AvioOwner* owner, size_t inputCapacity, std::function<void()> close, std::function<void()> cancel)
      : owner_(owner), capacity_(inputCapacity), close_(std::move(close)), cancel_(std::move(cancel)) {}
  void Run();
  void KeepAlive(Napi::Env env, bool keep);
  void StopAndJoin();
  static void CleanupHook(void* arg);

  AvioOwner* owner_;  // main thread only; null once the owner is collected
  const size_t capacity_;
  const std::function<void()> close_;
  const std::function<void()> cancel_;
  AvioChannel channel_;
  napi_env env_ = nullptr;
  std::shared_ptr<AvioWorker>* hookArg_ = nullptr;  // the cleanup hook's reference to this worker
  bool keepingAlive_ = false;                        // main thread only

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Queued> inbox_;
  size_t countedQueued_ = 0;
  bool wantRoom_ = false;
  bool closePosted_ = false;
  int64_t pending_ = 0;  // jobs posted and not yet finished
  std::vector<Event> outbox_;
  bool deliveryScheduled_ = false;
  bool channelOpen_ = true;
  bool stopped_ = false;  // the thread has left its loop

  std::thread thread_;
};

}  // namespace wcs
