#include "codec_worker.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "addon_data.h"
#include "adopted_buffer.h"
#include "live_counters.h"
#include "native_frame.h"

namespace wcs {

// ---------------------------------------------------------------------------------------------
// Worker thread side

// Bytes an input keeps alive while it waits in the inbox (the frame's buffers or the packet).
static size_t InputBytes(const CodecInput& input) {
  size_t bytes = 0;
  if (input.packet) bytes += static_cast<size_t>(input.packet->size);
  if (input.frame) {
    for (int i = 0; i < AV_NUM_DATA_POINTERS && input.frame->buf[i] != nullptr; i++) bytes += input.frame->buf[i]->size;
  }
  return bytes;
}

// Codec threads run a little below the JavaScript thread's priority (Linux: threads have their own
// nice value, and the threads a codec library starts inherit it), so when every core is busy
// coding, the event loop still gets the CPU the moment it needs it. Throughput is unchanged when
// nothing else competes. WEBCODECS_STREAMS_CODEC_NICE overrides the step (0 disables it).
static void LowerThreadPriority() {
#if defined(__linux__)
  static const int step = [] {
    const char* value = std::getenv("WEBCODECS_STREAMS_CODEC_NICE");
    return value != nullptr ? std::atoi(value) : 10;
  }();
  if (step <= 0) return;
  const pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (errno == 0) setpriority(PRIO_PROCESS, tid, std::min(current + step, 19));
#endif
}

WorkerState::~WorkerState() {
  // Normally joined after "closed"; a thread still running here would outlive its state.
  if (thread_.joinable()) thread_.detach();
}

void WorkerState::Start(Napi::Env env, std::shared_ptr<WorkerState> self) {
  channel = EventChannel::New(env, "webcodecs-streams:codec", 0, 1, new TsfnContext{self},
                              [](Napi::Env, void*, TsfnContext* context) { delete context; });
  channel.Unref(env);  // an idle codec does not hold the process open
  Counters().codecs++;
  thread_ = std::thread([self]() { self->Run(); });
}

void WorkerState::EmitLocked(Event event) {
  outbox_.push_back(std::move(event));
  if (!deliveryScheduled_ && channelOpen_) {
    deliveryScheduled_ = true;
    if (channel.NonBlockingCall() != napi_ok) channelOpen_ = false;  // environment is ending
  }
}

void WorkerState::Emit(Event event) {
  std::lock_guard<std::mutex> lock(mutex_);
  EmitLocked(std::move(event));
}

void WorkerState::Run() {
  LowerThreadPriority();
  for (;;) {
    Message message;
    std::vector<std::vector<Event>> delivered;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return !inbox_.empty(); });
      delivered.swap(delivered_);
      message = std::move(inbox_.front());
      inbox_.pop_front();
      if (message.kind == Message::Kind::Input) {
        inputsQueued_--;
        inputBytesQueued_ -= InputBytes(*message.input);
        if (message.input->packet) packetsQueued_--;
        if (wantRoom_ && HasRoomLocked()) {
          wantRoom_ = false;
          EmitLocked(Event{Event::Kind::Room});
        }
      }
    }
    delivered.clear();  // free delivered batches here, in this thread's own arena
    const bool stop = Process(message);
    message = Message{};  // drop the input's frame/packet here, on this thread, before "idle"
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_--;
      if (stop) EmitLocked(Event{Event::Kind::Closed});
      if (pending_ == 0) EmitLocked(Event{Event::Kind::Idle});
    }
    if (stop) break;
  }
  Counters().codecs--;
  channel.Release();
}

bool WorkerState::Process(Message& message) {
  const uint32_t generation = message.generation;
  OutputSink sink = [this, generation](std::unique_ptr<CodecOutput> output) {
    Event event{Event::Kind::Output, generation};
    event.output = std::move(output);
    Emit(std::move(event));
  };
  auto fail = [&](const std::string& name, const std::string& text) {
    core_.reset();
    failedGeneration_ = generation;
    Event event{Event::Kind::Error, generation};
    event.name = name;
    event.message = text;
    Emit(std::move(event));
  };
  try {
    switch (message.kind) {
      case Message::Kind::Configure:
        // JavaScript found the configuration unsupported; it is reported here, in order.
        if (message.config.Has("unsupportedReason")) ThrowCodecError("NotSupportedError", message.config.String("unsupportedReason"));
        if (!core_) core_ = CreateCodecCore(role_);
        if (!core_) ThrowCodecError("NotSupportedError", "no codec implementation for role " + role_);
        failedGeneration_ = UINT32_MAX;
        core_->Configure(message.config, sink);
        Emit(Event{Event::Kind::Configured, generation});
        return false;
      case Message::Kind::Input:
        if (generation == failedGeneration_ || !core_) return false;
        core_->Send(*message.input, sink);
        return false;
      case Message::Kind::Flush: {
        if (generation == failedGeneration_ || !core_) return false;
        core_->Drain(sink);
        Event event{Event::Kind::FlushDone, generation};
        event.flushId = message.flushId;
        Emit(std::move(event));
        return false;
      }
      case Message::Kind::Reset:
        core_.reset();
        return false;
      case Message::Kind::Close:
        core_.reset();
        return true;
    }
  } catch (const CodecError& error) {
    fail(error.name, error.message);
  } catch (const std::bad_alloc&) {
    fail("QuotaExceededError", "out of memory in the codec; close frames sooner or lower the resolution");
  } catch (const std::exception& error) {
    fail("EncodingError", error.what());
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Main thread side

bool WorkerState::Post(Message message) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closePosted_) return true;  // closed: the message is dropped, as the spec's Close says
  if (message.kind == Message::Kind::Input) {
    if (!HasRoomLocked()) {
      wantRoom_ = true;
      return false;
    }
    inputsQueued_++;
    inputBytesQueued_ += InputBytes(*message.input);
    if (message.input->packet) packetsQueued_++;
  }
  pending_++;
  inbox_.push_back(std::move(message));
  wake_.notify_one();
  return true;
}

void WorkerState::ClearAndPost(Message message) {
  std::deque<Message> dropped;  // destroyed outside the lock
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closePosted_) return;
    if (message.kind == Message::Kind::Close) closePosted_ = true;
    pending_ -= static_cast<int64_t>(inbox_.size());
    dropped.swap(inbox_);
    inputsQueued_ = 0;
    inputBytesQueued_ = 0;
    packetsQueued_ = 0;
    wantRoom_ = false;
    pending_++;
    inbox_.push_back(std::move(message));
    wake_.notify_one();
  }
}

void WorkerState::StopAndJoin() {
  ClearAndPost(Message{Message::Kind::Close});
  if (thread_.joinable()) thread_.join();
}

void DeliverEvents(Napi::Env env, Napi::Function, TsfnContext* context, void*) {
  // Environment teardown: Node may have run the channel's finalizer (deleting `context`) before it
  // flushes the queued calls with a null env, so `context` must not be touched. Undelivered events
  // are freed with their WorkerState.
  if (env == nullptr) return;
  std::shared_ptr<WorkerState> state = context->state;
  std::vector<Event> batch;
  {
    std::lock_guard<std::mutex> lock(state->mutex_);
    batch.swap(state->outbox_);
    state->deliveryScheduled_ = false;
  }
  Napi::HandleScope scope(env);
  DrainReleasedBuffers(env);  // transferred buffers a codec thread let go of

  bool closed = false;
  CodecWorker* wrapper = state->wrapper;
  Napi::Array events = Napi::Array::New(env);
  uint32_t count = 0;
  for (Event& event : batch) {
    if (event.kind == Event::Kind::Closed) closed = true;
    if (wrapper == nullptr || event.kind == Event::Kind::Idle) continue;  // idle only wakes this delivery
    Napi::Object e = Napi::Object::New(env);
    e.Set("generation", event.generation);
    switch (event.kind) {
      case Event::Kind::Output:
        e.Set("type", "output");
        e.Set("output", event.output->ToJS(env));
        break;
      case Event::Kind::Error:
        e.Set("type", "error");
        e.Set("name", event.name);
        e.Set("message", event.message);
        break;
      case Event::Kind::Configured: e.Set("type", "configured"); break;
      case Event::Kind::FlushDone:
        e.Set("type", "flush");
        e.Set("id", event.flushId);
        break;
      case Event::Kind::Room: e.Set("type", "room"); break;
      case Event::Kind::Idle: e.Set("type", "idle"); break;
      case Event::Kind::Closed: e.Set("type", "closed"); break;
    }
    events.Set(count++, e);
  }
  if (!closed) {
    std::lock_guard<std::mutex> lock(state->mutex_);
    state->delivered_.push_back(std::move(batch));  // the worker frees it (see delivered_)
  }

  if (closed) {
    state->StopAndJoin();  // the thread has left its loop: this join does not wait on codec work
    if (state->addon != nullptr) state->addon->liveWorkers.erase(state);
  }
  if (wrapper != nullptr && count > 0) {
    Napi::Object self = wrapper->Value();
    Napi::Value handler = self.Get("onevents");
    if (handler.IsFunction()) {
      try {
        handler.As<Napi::Function>().Call(self, {events});
      } catch (const Napi::Error& error) {
        // The JavaScript dispatcher reports callback exceptions itself; anything reaching here
        // is a bug in it, reported as an uncaught exception rather than lost.
        napi_fatal_exception(env, error.Value());
      }
    }
  }
  bool idle;
  {
    std::lock_guard<std::mutex> lock(state->mutex_);
    idle = state->pending_ == 0 && state->outbox_.empty();
  }
  if (idle && state->wrapper != nullptr) state->wrapper->AllowExit(env);
}

Napi::Function CodecWorker::DefineClass(Napi::Env env) {
  return Napi::ObjectWrap<CodecWorker>::DefineClass(
      env, "CodecWorker",
      {
          InstanceMethod<&CodecWorker::Configure>("configure"),
          InstanceMethod<&CodecWorker::Encode>("encode"),
          InstanceMethod<&CodecWorker::Decode>("decode"),
          InstanceMethod<&CodecWorker::Flush>("flush"),
          InstanceMethod<&CodecWorker::Reset>("reset"),
          InstanceMethod<&CodecWorker::Close>("close"),
      });
}

// new CodecWorker(role, inboxCapacity)
CodecWorker::CodecWorker(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CodecWorker>(info) {
  Napi::Env env = info.Env();
  std::string role = info[0].As<Napi::String>().Utf8Value();
  size_t capacity = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 4;
  if (capacity < 1) capacity = 1;
  state_ = std::make_shared<WorkerState>(role, capacity);
  state_->wrapper = this;
  state_->addon = AddonData::Of(env);
  state_->addon->liveWorkers.insert(state_);
  state_->Start(env, state_);
}

CodecWorker::~CodecWorker() {
  // Collected (only possible while idle): post Close; the thread frees the codec and exits.
  state_->wrapper = nullptr;
  state_->ClearAndPost(Message{Message::Kind::Close});
}

void CodecWorker::KeepAlive(Napi::Env env) {
  if (keepingAlive_) return;
  keepingAlive_ = true;
  state_->channel.Ref(env);
  Ref();
}

void CodecWorker::AllowExit(Napi::Env env) {
  if (!keepingAlive_) return;
  keepingAlive_ = false;
  state_->channel.Unref(env);
  Unref();
}

// configure(generation, config)
Napi::Value CodecWorker::Configure(const Napi::CallbackInfo& info) {
  Message message{Message::Kind::Configure, info[0].As<Napi::Number>().Uint32Value()};
  message.config = ConfigMap::FromObject(info[1].As<Napi::Object>());
  state_->Post(std::move(message));
  KeepAlive(info.Env());
  return info.Env().Undefined();
}

// encode(generation, nativeFrame, timestamp, duration | undefined, options) -> accepted
Napi::Value CodecWorker::Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NativeFrame* frame = NativeFrame::FromValue(info[1]);
  if (frame == nullptr || frame->frame() == nullptr) throw Napi::TypeError::New(env, "frame is closed");
  Message message{Message::Kind::Input, info[0].As<Napi::Number>().Uint32Value()};
  message.input = std::make_unique<CodecInput>();
  message.input->frame = RefFrame(frame->frame());
  message.input->timestamp = info[2].As<Napi::Number>().Int64Value();
  if (info[3].IsNumber()) message.input->duration = info[3].As<Napi::Number>().Int64Value();
  if (info[4].IsObject()) message.input->options = ConfigMap::FromObject(info[4].As<Napi::Object>());
  const bool accepted = state_->Post(std::move(message));
  if (accepted) KeepAlive(env);
  return Napi::Boolean::New(env, accepted);
}

// decode(generation, data, timestamp, duration | undefined, key) -> accepted
Napi::Value CodecWorker::Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::TypedArray view = info[1].As<Napi::TypedArray>();
  const uint8_t* data = static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
  PacketPtr packet = MakePacket();
  if (av_new_packet(packet.get(), static_cast<int>(view.ByteLength())) < 0) {
    throw Napi::Error::New(env, "out of memory allocating a packet");
  }
  if (view.ByteLength() > 0) std::memcpy(packet->data, data, view.ByteLength());
  Message message{Message::Kind::Input, info[0].As<Napi::Number>().Uint32Value()};
  message.input = std::make_unique<CodecInput>();
  message.input->packet = std::move(packet);
  message.input->timestamp = info[2].As<Napi::Number>().Int64Value();
  if (info[3].IsNumber()) message.input->duration = info[3].As<Napi::Number>().Int64Value();
  message.input->key = info[4].ToBoolean().Value();
  const bool accepted = state_->Post(std::move(message));
  if (accepted) KeepAlive(env);
  return Napi::Boolean::New(env, accepted);
}

// flush(generation, id)
Napi::Value CodecWorker::Flush(const Napi::CallbackInfo& info) {
  Message message{Message::Kind::Flush, info[0].As<Napi::Number>().Uint32Value()};
  message.flushId = info[1].As<Napi::Number>().DoubleValue();
  state_->Post(std::move(message));
  KeepAlive(info.Env());
  return info.Env().Undefined();
}

// reset(generation): queued messages are dropped; the codec is torn down on its thread.
Napi::Value CodecWorker::Reset(const Napi::CallbackInfo& info) {
  state_->ClearAndPost(Message{Message::Kind::Reset, info[0].As<Napi::Number>().Uint32Value()});
  KeepAlive(info.Env());
  return info.Env().Undefined();
}

Napi::Value CodecWorker::Close(const Napi::CallbackInfo& info) {
  state_->ClearAndPost(Message{Message::Kind::Close});
  KeepAlive(info.Env());
  return info.Env().Undefined();
}

}  // namespace wcs
