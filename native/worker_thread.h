// One background thread per native object, with its own ordered inbox of jobs and one channel of
// events back to JavaScript: the threading shared by the codec workers (codec_worker.h) and the
// container workers (avio_worker.h).
//
// - Jobs run in order on the object's own thread; JavaScript posts a job under a short lock (never
//   held while a job runs) and never waits on the thread.
// - Everything the thread reports is an event. Events go through one thread-safe function, so
//   they arrive in one order (a completion can never overtake the outputs before it), and they
//   accumulate in an outbox while the event loop is busy, to be delivered as one batch in one
//   call of the owner object's `onevents(events)` method.
// - While jobs are pending, the owner's JavaScript object is strongly held and the thread-safe
//   function keeps the event loop alive, so a script that awaits a job never exits mid-job and a
//   busy object is never collected; once the thread is idle (checked atomically with an empty
//   outbox) both are released, so an idle object neither keeps the process alive nor leaks (when
//   it is collected, its destructor detaches and closes the worker).
// - The inbox may be bounded: Post refuses a job when there is no room, and a "room" event
//   follows once there is.
// - Close drops the queued jobs and posts a final one (freeing the object's library state on its
//   thread), after which the thread reports "closed" and leaves its loop; the delivery of
//   "closed" joins it (without waiting: it has already left). Jobs posted after Close are dropped.
// - An environment cleanup hook (addon.cc, through AddonData::liveWorkers) stops and joins every
//   worker whose thread has not been joined yet when the process or a `worker_threads` Worker ends.
//
// What differs between workers is given by the derived class (CRTP: resolved at compile time, no
// virtual call per job or event):
//   bool AddLocked(const Job&)      count a job into the inbox bound; false (nothing counted) when
//                                   there is no room for it. Called with the lock held, as are:
//   void RemoveLocked(const Job&)   uncount a job taken from the inbox
//   bool HasRoomLocked() const      whether a refused job would now be accepted
//   void ClearLocked()              the inbox was emptied
//   void RunJob(Job&)               worker thread: do the job
//   Job CloseJob()                  the final job Close posts
//   static Event RoomEvent(), IdleEvent(), ClosedEvent()
//   static Napi::Value ToJS(Napi::Env, Event&)   main thread; an empty value is not delivered
// and optionally (defaults below): OnThreadStart(), OnClosePosted(), BeforeDelivery(env),
// kFreeDeliveredOnWorkerThread.
#pragma once

#include <napi.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "addon_data.h"

namespace wcs {

// The part of every WorkerThread that does not depend on its job and event types: what the
// environment cleanup hook (AddonData::liveWorkers) and the thread-safe function reach it by.
class WorkerThreadBase {
 public:
  virtual ~WorkerThreadBase() = default;
  // Main thread, environment teardown: forget the owner, close (which wakes a job blocked waiting
  // for JavaScript: OnClosePosted), and join after the job in progress.
  virtual void DetachAndJoin() = 0;
  // Main thread: deliver the outbox (one virtual call per batch, not per event).
  virtual void DeliverOutbox(Napi::Env env, const std::shared_ptr<WorkerThreadBase>& self) = 0;
};

// The thread-safe function that carries a worker's events, and its callback. Not in the
// WorkerThread template: Node-API's TypedThreadSafeFunction::New tests the callback against
// nullptr at compile time, which GCC under -fsanitize=undefined (scripts/sanitize.sh) can do only
// where the callback is defined, out of line: in worker_thread.cc.
struct WorkerChannelContext {
  std::shared_ptr<WorkerThreadBase> worker;
};
void DeliverWorkerEvents(Napi::Env env, Napi::Function unused, WorkerChannelContext* context, void* data);
using WorkerChannel = Napi::TypedThreadSafeFunction<WorkerChannelContext, void, DeliverWorkerEvents>;
// Main thread: a channel to `worker`, unref'ed: an idle worker does not hold the process open.
WorkerChannel OpenWorkerChannel(Napi::Env env, const char* name, std::shared_ptr<WorkerThreadBase> worker);

// Shared (std::shared_ptr) by the owner object, the thread, the thread-safe function and, until
// joined, AddonData::liveWorkers, so whichever finishes last frees it.
template <typename Derived, typename Job, typename Event>
class WorkerThread : public WorkerThreadBase {
 public:
  ~WorkerThread() override {
    // Normally joined after "closed"; a thread still running here would outlive its state.
    if (thread_.joinable()) thread_.detach();
  }

  // Main thread. False (and a room event follows) when the inbox has no room for the job.
  bool Post(Job job) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closePosted_) return true;  // closed: the job is dropped, as the spec's Close says
      if (!derived().AddLocked(job)) {
        wantRoom_ = true;
        return false;
      }
      pending_++;
      inbox_.push_back(std::move(job));
      wake_.notify_one();
    }
    KeepAlive(true);
    return true;
  }

  // Main thread: drop the queued jobs and post `job` in their place (a codec's Reset). Nothing
  // happens once closed.
  void ClearAndPost(Job job) { PostInPlaceOfQueued(std::move(job), false); }

  // Main thread: drop the queued jobs, post the final job and stop after it. Safe to repeat.
  void Close() {
    if (PostInPlaceOfQueued(derived().CloseJob(), true)) {
      derived().OnClosePosted();  // after posting, so a job woken by it finds the final job next
    }
  }

  // Main thread: the owner object is being collected; no more events reach it.
  void Detach() { owner_ = nullptr; }

  void DetachAndJoin() override {
    Detach();
    Close();
    if (thread_.joinable()) thread_.join();
  }

  // Worker thread: report something to JavaScript.
  void Emit(Event event) {
    std::lock_guard<std::mutex> lock(mutex_);
    EmitLocked(std::move(event));
  }

 protected:
  // `owner`: the JavaScript object events are delivered to (an ObjectWrap), held strongly while
  // jobs are pending.
  explicit WorkerThread(Napi::Reference<Napi::Object>* owner) : owner_(owner) {}

  // Main thread: open the channel, register for the cleanup hook, start the thread.
  static void Start(Napi::Env env, const char* name, const std::shared_ptr<Derived>& self) {
    self->env_ = env;
    self->addon_ = AddonData::Of(env);
    self->channel_ = OpenWorkerChannel(env, name, self);
    self->addon_->liveWorkers.insert(self);
    self->thread_ = std::thread([self]() { self->Run(); });
  }

  // Default hooks; a derived class hides the ones it needs.
  void OnThreadStart() {}
  void OnClosePosted() {}
  void BeforeDelivery(Napi::Env) {}
  // Whether delivered event batches are destroyed on the worker thread (see delivered_).
  static constexpr bool kFreeDeliveredOnWorkerThread = false;

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }

  // Main thread: drop the queued jobs and post `job`; with `last`, it is the final job. True when
  // `job` was posted (false once closed).
  bool PostInPlaceOfQueued(Job job, bool last) {
    std::deque<Job> dropped;  // destroyed outside the lock
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closePosted_) return false;
      closePosted_ = last;
      pending_ -= static_cast<int64_t>(inbox_.size());
      dropped.swap(inbox_);
      derived().ClearLocked();
      wantRoom_ = false;
      pending_++;
      inbox_.push_back(std::move(job));
      wake_.notify_one();
    }
    KeepAlive(true);
    return true;
  }

  // Main thread: hold (or release) the event loop and the owner object.
  void KeepAlive(bool keep) {
    if (keep == keepingAlive_ || owner_ == nullptr) return;
    keepingAlive_ = keep;
    if (keep) {
      channel_.Ref(Napi::Env(env_));
      owner_->Ref();
    } else {
      channel_.Unref(Napi::Env(env_));
      owner_->Unref();
    }
  }

  // Worker thread: wait for the next job and take it out of the inbox. `last`: it is the final
  // job (Close clears the inbox, so a job taken after it was posted is that job).
  Job Take(bool& last, std::vector<std::vector<Event>>& delivered) {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return !inbox_.empty(); });
    if constexpr (Derived::kFreeDeliveredOnWorkerThread) delivered.swap(delivered_);
    Job job = std::move(inbox_.front());
    inbox_.pop_front();
    last = closePosted_;
    derived().RemoveLocked(job);
    if (wantRoom_ && derived().HasRoomLocked()) {
      wantRoom_ = false;
      EmitLocked(Derived::RoomEvent());
    }
    return job;
  }

  void Run() {
    derived().OnThreadStart();
    std::vector<std::vector<Event>> delivered;
    for (;;) {
      bool last;
      {
        Job job = Take(last, delivered);
        delivered.clear();  // free delivered batches here, in this thread's own arena
        derived().RunJob(job);
      }  // what the job holds (frames, packets) is freed here, on this thread, before "idle"
      {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_--;
        if (last) {
          stopped_ = true;
          EmitLocked(Derived::ClosedEvent());
        } else if (pending_ == 0) {
          EmitLocked(Derived::IdleEvent());  // only wakes a delivery that releases the keep-alive
        }
      }
      if (last) break;
    }
    channel_.Release();
  }

  void EmitLocked(Event event) {
    outbox_.push_back(std::move(event));
    if (!deliveryScheduled_ && channelOpen_) {
      deliveryScheduled_ = true;
      if (channel_.NonBlockingCall() != napi_ok) channelOpen_ = false;  // the environment is ending
    }
  }

  void DeliverOutbox(Napi::Env env, const std::shared_ptr<WorkerThreadBase>& self) override;

  Napi::Reference<Napi::Object>* owner_;  // main thread only; null once the owner is collected
  bool keepingAlive_ = false;             // main thread only
  napi_env env_ = nullptr;
  AddonData* addon_ = nullptr;
  WorkerChannel channel_;

  std::mutex mutex_;  // also guards the derived class's inbox bound (the *Locked hooks)
  std::condition_variable wake_;
  std::deque<Job> inbox_;
  bool wantRoom_ = false;
  bool closePosted_ = false;
  bool stopped_ = false;  // the thread has run the final job and left its loop
  int64_t pending_ = 0;   // jobs posted and not yet finished
  std::vector<Event> outbox_;
  // Delivered batches, destroyed on the worker thread when kFreeDeliveredOnWorkerThread: their
  // memory came from the worker's malloc arena, and freeing it on the main thread would take that
  // arena's lock (contended by a busy codec thread: measured stalls of the event loop with many
  // codecs).
  std::vector<std::vector<Event>> delivered_;
  bool deliveryScheduled_ = false;
  bool channelOpen_ = true;

  std::thread thread_;
};

template <typename Derived, typename Job, typename Event>
void WorkerThread<Derived, Job, Event>::DeliverOutbox(Napi::Env env, const std::shared_ptr<WorkerThreadBase>& self) {
  std::vector<Event> batch;
  bool stopped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(outbox_);
    deliveryScheduled_ = false;
    stopped = stopped_;
  }
  Napi::HandleScope scope(env);
  derived().BeforeDelivery(env);

  Napi::Reference<Napi::Object>* owner = owner_;
  Napi::Array events = Napi::Array::New(env);
  uint32_t count = 0;
  if (owner != nullptr) {
    for (Event& event : batch) {
      Napi::Value value = Derived::ToJS(env, event);
      if (!value.IsEmpty()) events.Set(count++, value);
    }
  }
  if constexpr (Derived::kFreeDeliveredOnWorkerThread) {
    if (!stopped) {
      std::lock_guard<std::mutex> lock(mutex_);
      delivered_.push_back(std::move(batch));  // the worker frees it (see delivered_)
    }
  }
  batch.clear();  // what the events held is converted: not kept while JavaScript runs
  if (stopped) {
    if (thread_.joinable()) thread_.join();  // the thread has left its loop: the join does not wait
    addon_->liveWorkers.erase(self);
  }
  if (owner != nullptr && count > 0) {
    Napi::Object target = owner->Value();
    Napi::Value handler = target.Get("onevents");
    if (handler.IsFunction()) {
      try {
        handler.As<Napi::Function>().Call(target, {events});
      } catch (const Napi::Error& error) {
        // The JavaScript side reports the exceptions of user callbacks itself; anything reaching
        // here is a bug in it, reported as an uncaught exception rather than lost.
        napi_fatal_exception(env, error.Value());
      }
    }
  }
  bool idle;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    idle = pending_ == 0 && outbox_.empty();
  }
  if (idle) KeepAlive(false);
}

}  // namespace wcs
