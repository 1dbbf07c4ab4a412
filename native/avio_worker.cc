#include "avio_worker.h"

namespace wcs {

std::shared_ptr<AvioWorker> AvioWorker::Start(Napi::Env env, AvioOwner* owner, const char* name, size_t inputCapacity,
                                              std::function<void()> close, std::function<void()> cancel) {
  std::shared_ptr<AvioWorker> self(new AvioWorker(owner, inputCapacity, std::move(close), std::move(cancel)));
  self->env_ = env;
  self->channel_ = AvioChannel::New(env, name, 0, 1, new AvioChannelContext{self},
                                    [](Napi::Env, void*, AvioChannelContext* context) { delete context; });
  self->channel_.Unref(env);  // idle: does not hold the process open
  self->hookArg_ = new std::shared_ptr<AvioWorker>(self);
  napi_add_env_cleanup_hook(env, CleanupHook, self->hookArg_);
  self->thread_ = std::thread([self]() { self->Run(); });
  return self;
}

AvioWorker::~AvioWorker() {
  // Normally joined after the Close job; a thread still running here would outlive its state.
  if (thread_.joinable()) thread_.detach();
}

// ---------------------------------------------------------------------------------------------
// Worker thread side

void AvioWorker::Run() {
  for (;;) {
    Queued item;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return !inbox_.empty(); });
      item = std::move(inbox_.front());
      inbox_.pop_front();
      if (item.counted) {
        countedQueued_--;
        if (wantRoom_ && countedQueued_ < capacity_) {
          wantRoom_ = false;
          outbox_.push_back([](Napi::Env env) {
            Napi::Object event = Napi::Object::New(env);
            event.Set("type", "room");
            return event;
          });
        }
      }
    }
    item.job();
    item.job = nullptr;  // free what the job captured (packets) on this thread
    std::lock_guard<std::mutex> lock(mutex_);
    pending_--;
    if (item.stop) {
      stopped_ = true;
      outbox_.push_back([](Napi::Env env) {
        Napi::Object event = Napi::Object::New(env);
        event.Set("type", "closed");
        return event;
      });
    } else if (pending_ == 0) {
      outbox_.push_back(nullptr);  // "idle": only wakes a delivery that releases the keep-alive
    }
    if (!deliveryScheduled_ && channelOpen_) {
      deliveryScheduled_ = true;
      if (channel_.NonBlockingCall() != napi_ok) channelOpen_ = false;  // the environment is ending
    }
    if (item.stop) break;
  }
  channel_.Release();
}

void AvioWorker::Emit(Event event) {
  std::lock_guard<std::mutex> lock(mutex_);
  outbox_.push_back(std::move(event));
  if (!deliveryScheduled_ && channelOpen_) {
    deliveryScheduled_ = true;
    if (channel_.NonBlockingCall() != napi_ok) channelOpen_ = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Main thread side

bool AvioWorker::Post(Job job, bool counted) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closePosted_) return true;  // closed: the job is dropped
    if (counted) {
      if (countedQueued_ >= capacity_) {
        wantRoom_ = true;
        return false;
      }
      countedQueued_++;
    }
    pending_++;
    inbox_.push_back(Queued{std::move(job), counted, false});
    wake_.notify_one();
  }
  KeepAlive(Napi::Env(env_), true);
  return true;
}

void AvioWorker::Close() {
  std::deque<Queued> dropped;  // destroyed outside the lock
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closePosted_) return;
    closePosted_ = true;
    pending_ -= static_cast<int64_t>(inbox_.size());
    dropped.swap(inbox_);
    countedQueued_ = 0;
    wantRoom_ = false;
    pending_++;
    inbox_.push_back(Queued{close_, false, true});
    wake_.notify_one();
  }
  if (cancel_) cancel_();  // after posting, so a job woken by the cancel finds Close next
  KeepAlive(Napi::Env(env_), true);
}

void AvioWorker::Detach() { owner_ = nullptr; }

void AvioWorker::KeepAlive(Napi::Env env, bool keep) {
  if (keep == keepingAlive_ || owner_ == nullptr) return;
  keepingAlive_ = keep;
  if (keep) {
    channel_.Ref(env);
  } else {
    channel_.Unref(env);
  }
  owner_->Hold(keep);
}

void AvioWorker::StopAndJoin() {
  Close();
  if (thread_.joinable()) thread_.join();
  if (hookArg_ != nullptr) {
    napi_remove_env_cleanup_hook(env_, CleanupHook, hookArg_);
    std::shared_ptr<AvioWorker>* arg = hookArg_;
    hookArg_ = nullptr;
    delete arg;  // may drop the last reference to this worker: nothing of `this` is used after
  }
}

void AvioWorker::CleanupHook(void* arg) {
  // The environment is ending: joining may wait for the job in progress, which the cancel above
  // has woken if it was waiting for JavaScript.
  std::shared_ptr<AvioWorker> self = *static_cast<std::shared_ptr<AvioWorker>*>(arg);
  self->owner_ = nullptr;
  self->StopAndJoin();
}

void DeliverAvioEvents(Napi::Env env, Napi::Function, AvioChannelContext* context, void*) {
  // Environment teardown: Node-API has already run the finalizer (deleting `context`) and drains
  // the queued calls with a null env; the outbox is freed with the worker.
  if (env == nullptr) return;
  std::shared_ptr<AvioWorker> worker = context->worker;
  std::vector<AvioWorker::Event> batch;
  bool stopped;
  {
    std::lock_guard<std::mutex> lock(worker->mutex_);
    batch.swap(worker->outbox_);
    worker->deliveryScheduled_ = false;
    stopped = worker->stopped_;
  }
  Napi::HandleScope scope(env);
  AvioOwner* owner = worker->owner_;
  Napi::Array events = Napi::Array::New(env);
  uint32_t count = 0;
  if (owner != nullptr) {
    for (AvioWorker::Event& event : batch) {
      if (event) events.Set(count++, event(env));
    }
  }
  batch.clear();
  if (stopped) worker->StopAndJoin();  // the thread has left its loop: the join does not wait
  if (owner != nullptr && count > 0) {
    Napi::Object self = owner->Self();
    Napi::Value handler = self.Get("onevents");
    if (handler.IsFunction()) {
      try {
        handler.As<Napi::Function>().Call(self, {events});
      } catch (const Napi::Error& error) {
        // The JavaScript side handles its own exceptions; one reaching here is a bug there,
        // reported as an uncaught exception rather than lost.
        napi_fatal_exception(env, error.Value());
      }
    }
  }
  bool idle;
  {
    std::lock_guard<std::mutex> lock(worker->mutex_);
    idle = worker->pending_ == 0 && worker->outbox_.empty();
  }
  if (idle) worker->KeepAlive(env, false);
}

}  // namespace wcs
