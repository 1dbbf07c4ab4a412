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

#include "adopted_buffer.h"
#include "live_counters.h"
#include "native_frame.h"

namespace wcs {

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

std::shared_ptr<CodecThread> CodecThread::Start(Napi::Env env, CodecWorker* wrapper, std::string role, size_t capacity) {
  auto self = std::make_shared<CodecThread>(wrapper, std::move(role), capacity);
  Counters().codecs++;
  WorkerThread::Start(env, "webcodecs-streams:codec", self);
  return self;
}

CodecThread::CodecThread(CodecWorker* wrapper, std::string role, size_t capacity)
    : WorkerThread(wrapper), role_(std::move(role)), capacity_(capacity) {}

// The inbox bound (the worker's lock is held): main thread adds, worker thread removes.

bool CodecThread::AddLocked(const Message& message) {
  if (message.kind != Message::Kind::Input) return true;
  if (!HasRoomLocked()) return false;
  inputsQueued_++;
  inputBytesQueued_ += InputBytes(*message.input);
  if (message.input->packet) packetsQueued_++;
  return true;
}

void CodecThread::RemoveLocked(const Message& message) {
  if (message.kind != Message::Kind::Input) return;
  inputsQueued_--;
  inputBytesQueued_ -= InputBytes(*message.input);
  if (message.input->packet) packetsQueued_--;
}

void CodecThread::ClearLocked() {
  inputsQueued_ = 0;
  inputBytesQueued_ = 0;
  packetsQueued_ = 0;
}

// ---------------------------------------------------------------------------------------------
// Worker thread side

void CodecThread::OnThreadStart() { LowerThreadPriority(); }

void CodecThread::RunJob(Message& message) {
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
        return;
      case Message::Kind::Input:
        if (generation == failedGeneration_ || !core_) return;
        core_->Send(*message.input, sink);
        return;
      case Message::Kind::Flush: {
        if (generation == failedGeneration_ || !core_) return;
        core_->Drain(sink);
        Event event{Event::Kind::FlushDone, generation};
        event.flushId = message.flushId;
        Emit(std::move(event));
        return;
      }
      case Message::Kind::Reset:
        core_.reset();
        return;
      case Message::Kind::Close:  // the final message: the thread stops after it
        core_.reset();
        Counters().codecs--;
        return;
    }
  } catch (const CodecError& error) {
    fail(error.name, error.message);
  } catch (const std::bad_alloc&) {
    fail("QuotaExceededError", "out of memory in the codec; close frames sooner or lower the resolution");
  } catch (const std::exception& error) {
    fail("EncodingError", error.what());
  }
}

// ---------------------------------------------------------------------------------------------
// Main thread side

void CodecThread::BeforeDelivery(Napi::Env env) {
  DrainReleasedBuffers(env);  // transferred buffers a codec thread let go of
}

Napi::Value CodecThread::ToJS(Napi::Env env, Event& event) {
  if (event.kind == Event::Kind::Idle) return Napi::Value();  // idle only wakes this delivery
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
    case Event::Kind::Idle: break;
    case Event::Kind::Closed: e.Set("type", "closed"); break;
  }
  return e;
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
  std::string role = info[0].As<Napi::String>().Utf8Value();
  size_t capacity = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 4;
  if (capacity < 1) capacity = 1;
  thread_ = CodecThread::Start(info.Env(), this, std::move(role), capacity);
}

CodecWorker::~CodecWorker() {
  // Collected (only possible while idle): post Close; the thread frees the codec and exits.
  thread_->Detach();
  thread_->Close();
}

// configure(generation, config)
Napi::Value CodecWorker::Configure(const Napi::CallbackInfo& info) {
  Message message{Message::Kind::Configure, info[0].As<Napi::Number>().Uint32Value()};
  message.config = ConfigMap::FromObject(info[1].As<Napi::Object>());
  thread_->Post(std::move(message));
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
  const bool accepted = thread_->Post(std::move(message));
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
  const bool accepted = thread_->Post(std::move(message));
  return Napi::Boolean::New(env, accepted);
}

// flush(generation, id)
Napi::Value CodecWorker::Flush(const Napi::CallbackInfo& info) {
  Message message{Message::Kind::Flush, info[0].As<Napi::Number>().Uint32Value()};
  message.flushId = info[1].As<Napi::Number>().DoubleValue();
  thread_->Post(std::move(message));
  return info.Env().Undefined();
}

// reset(generation): queued messages are dropped; the codec is torn down on its thread.
Napi::Value CodecWorker::Reset(const Napi::CallbackInfo& info) {
  thread_->ClearAndPost(Message{Message::Kind::Reset, info[0].As<Napi::Number>().Uint32Value()});
  return info.Env().Undefined();
}

Napi::Value CodecWorker::Close(const Napi::CallbackInfo& info) {
  thread_->Close();
  return info.Env().Undefined();
}

}  // namespace wcs
