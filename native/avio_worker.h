// The background thread of one libavformat object (a demuxer or a muxer), on the threading the
// codec workers use too (worker_thread.h), in a form both container classes share:
//
// - Jobs are closures, run in order on the object's own thread; the FFmpeg context is created,
//   used and freed there only.
// - Events are closures that build the JavaScript value on the main thread.
// - Only jobs posted as `counted` (the muxer's packets) are bounded by the inbox capacity.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>

#include "worker_thread.h"

namespace wcs {

struct AvioJob {
  std::function<void()> run;
  bool counted = false;  // bounded by the inbox capacity
};

class AvioWorker : public WorkerThread<AvioWorker, AvioJob, std::function<Napi::Value(Napi::Env)>> {
 public:
  using Job = std::function<void()>;
  using Event = std::function<Napi::Value(Napi::Env)>;

  // `owner`: the Demuxer or Muxer object, which receives the events. `inputCapacity`: how many
  // jobs posted with `counted` may wait in the inbox before Post refuses them (and a
  // {type:'room'} event follows once there is room again). `close` frees the FFmpeg object on
  // the thread; `cancel` (main thread) wakes a job blocked waiting for JavaScript.
  static std::shared_ptr<AvioWorker> Start(Napi::Env env, Napi::Reference<Napi::Object>* owner, const char* name,
                                           size_t inputCapacity, std::function<void()> close,
                                           std::function<void()> cancel) {
    auto self = std::make_shared<AvioWorker>(owner, inputCapacity, std::move(close), std::move(cancel));
    WorkerThread::Start(env, name, self);
    return self;
  }

  AvioWorker(Napi::Reference<Napi::Object>* owner, size_t inputCapacity, std::function<void()> close,
             std::function<void()> cancel)
      : WorkerThread(owner), capacity_(inputCapacity), close_(std::move(close)), cancel_(std::move(cancel)) {}

  // Main thread. False when `counted` and the inbox is full.
  bool Post(Job job, bool counted = false) { return WorkerThread::Post(AvioJob{std::move(job), counted}); }

 private:
  friend class WorkerThread<AvioWorker, AvioJob, Event>;

  // The inbox bound, guarded by the worker's lock.
  bool AddLocked(const AvioJob& job) {
    if (!job.counted) return true;
    if (countedQueued_ >= capacity_) return false;
    countedQueued_++;
    return true;
  }
  void RemoveLocked(const AvioJob& job) {
    if (job.counted) countedQueued_--;
  }
  bool HasRoomLocked() const { return countedQueued_ < capacity_; }
  void ClearLocked() { countedQueued_ = 0; }

  static void RunJob(AvioJob& job) { job.run(); }
  AvioJob CloseJob() const { return AvioJob{close_, false}; }
  void OnClosePosted() {
    if (cancel_) cancel_();
  }
  static Event RoomEvent() { return TypeEvent("room"); }
  static Event IdleEvent() { return nullptr; }  // only wakes a delivery: not delivered
  static Event ClosedEvent() { return TypeEvent("closed"); }
  static Event TypeEvent(const char* type) {
    return [type](Napi::Env env) -> Napi::Value {
      Napi::Object event = Napi::Object::New(env);
      event.Set("type", type);
      return event;
    };
  }
  static Napi::Value ToJS(Napi::Env env, Event& event) { return event ? event(env) : Napi::Value(); }

  const size_t capacity_;
  const std::function<void()> close_;
  const std::function<void()> cancel_;
  size_t countedQueued_ = 0;
};

}  // namespace wcs
