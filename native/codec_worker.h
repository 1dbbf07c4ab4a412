// The codec work parallel queue (WebCodecs 2.3): one thread per codec instance (worker_thread.h),
// an inbox of control messages, and one thread-safe function that carries everything back to
// JavaScript (outputs, errors, configure and flush completions, "room in the inbox", "idle",
// "closed") in one order, batched while the event loop is busy.
//
// JavaScript never waits on the thread: posting takes a short lock on the inbox only (never held
// while coding), close() and garbage collection only post a message, and the thread is joined
// after it has said "closed". While messages are pending, the codec holds the event loop open
// (the thread-safe function is ref'ed) and keeps its JavaScript object alive; an idle codec does
// neither.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>

#include "codec_core.h"
#include "worker_thread.h"

namespace wcs {

class CodecWorker;

struct Message {
  enum class Kind { Configure, Input, Flush, Reset, Close };
  Kind kind;
  uint32_t generation = 0;
  ConfigMap config;                    // Configure
  std::unique_ptr<CodecInput> input;   // Input
  double flushId = 0;                  // Flush
};

struct Event {
  enum class Kind { Output, Error, Configured, FlushDone, Room, Idle, Closed };
  Kind kind;
  uint32_t generation = 0;
  std::unique_ptr<CodecOutput> output;  // Output
  std::string name;                     // Error
  std::string message;                  // Error
  double flushId = 0;                   // FlushDone
};

// The thread of one codec: runs its messages on a CodecCore.
class CodecThread : public WorkerThread<CodecThread, Message, Event> {
 public:
  static std::shared_ptr<CodecThread> Start(Napi::Env env, CodecWorker* wrapper, std::string role, size_t capacity);

  CodecThread(CodecWorker* wrapper, std::string role, size_t capacity);

 private:
  friend class WorkerThread<CodecThread, Message, Event>;

  // The inbox bound, guarded by the worker's lock.
  bool AddLocked(const Message& message);
  void RemoveLocked(const Message& message);
  void ClearLocked();
  // The inbox is saturated once it holds `capacity_` inputs and at least kInboxBytes of them, or
  // kMaxInboxInputs inputs: large frames saturate it after a few (bounding memory), tiny ones are
  // batched deeper so the worker does not wait for a JavaScript turn every few inputs.
  static constexpr size_t kInboxBytes = 4 << 20;
  static constexpr size_t kMaxInboxInputs = 64;
  // Only frames (encoder inputs) are batched deeper: a compressed packet's size says nothing of the
  // frame it decodes to, so decoder inboxes stay at `capacity_` inputs.
  bool HasRoomLocked() const {
    return inputsQueued_ < capacity_ ||
           (packetsQueued_ == 0 && inputsQueued_ < kMaxInboxInputs && inputBytesQueued_ < kInboxBytes);
  }

  void OnThreadStart();
  void RunJob(Message& message);
  static Message CloseJob() { return Message{Message::Kind::Close}; }
  static Event RoomEvent() { return Event{Event::Kind::Room}; }
  static Event IdleEvent() { return Event{Event::Kind::Idle}; }
  static Event ClosedEvent() { return Event{Event::Kind::Closed}; }
  void BeforeDelivery(Napi::Env env);
  static Napi::Value ToJS(Napi::Env env, Event& event);
  // Output batches come from this thread's malloc arena (see WorkerThread::delivered_).
  static constexpr bool kFreeDeliveredOnWorkerThread = true;

  const std::string role_;
  const size_t capacity_;
  size_t inputsQueued_ = 0;
  size_t inputBytesQueued_ = 0;
  size_t packetsQueued_ = 0;

  // Worker thread only.
  std::unique_ptr<CodecCore> core_;
  uint32_t failedGeneration_ = UINT32_MAX;
};

class CodecWorker : public Napi::ObjectWrap<CodecWorker> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit CodecWorker(const Napi::CallbackInfo& info);
  ~CodecWorker() override;

 private:
  Napi::Value Configure(const Napi::CallbackInfo& info);
  Napi::Value Encode(const Napi::CallbackInfo& info);
  Napi::Value Decode(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<CodecThread> thread_;
};

}  // namespace wcs
