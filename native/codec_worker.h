// The codec work parallel queue (WebCodecs 2.3): one thread per codec instance, an inbox of
// control messages, and one thread-safe function that carries everything back to JavaScript
// (outputs, errors, configure and flush completions, "room in the inbox", "idle", "closed") in
// one order, batched while the event loop is busy.
//
// JavaScript never waits on the thread: posting takes a short lock on the inbox only (never held
// while coding), close() and garbage collection only post a message, and the thread is joined
// after it has said "closed". While messages are pending, the codec holds the event loop open
// (the thread-safe function is ref'ed) and keeps its JavaScript object alive; an idle codec does
// neither.
#pragma once

#include <napi.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "codec_core.h"

namespace wcs {

struct AddonData;
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

class WorkerState;
struct TsfnContext {
  std::shared_ptr<WorkerState> state;
};
void DeliverEvents(Napi::Env env, Napi::Function unused, TsfnContext* context, void* data);
using EventChannel = Napi::TypedThreadSafeFunction<TsfnContext, void, DeliverEvents>;

// Shared by the JavaScript wrapper, the worker thread and the thread-safe function, so whichever
// finishes last frees it.
class WorkerState {
 public:
  WorkerState(std::string role, size_t capacity) : role_(std::move(role)), capacity_(capacity) {}
  ~WorkerState();

  void Start(Napi::Env env, std::shared_ptr<WorkerState> self);
  // Main thread. Returns false (and asks for a Room event) when the inbox has no room for input.
  bool Post(Message message);
  // Main thread: drop queued messages and post Reset/Close. Safe to call more than once.
  void ClearAndPost(Message message);
  // Main thread: stop and join the thread (environment teardown only).
  void StopAndJoin();

  CodecWorker* wrapper = nullptr;  // main thread only; null once the wrapper is collected
  AddonData* addon = nullptr;
  EventChannel channel;

 private:
  friend void DeliverEvents(Napi::Env, Napi::Function, TsfnContext*, void*);
  void Run();
  bool Process(Message& message);  // true when the thread must stop
  void Emit(Event event);
  void EmitLocked(Event event);

  const std::string role_;
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
  size_t packetsQueued_ = 0;
  const size_t capacity_;
  size_t inputBytesQueued_ = 0;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Message> inbox_;
  size_t inputsQueued_ = 0;
  bool wantRoom_ = false;
  bool closePosted_ = false;
  int64_t pending_ = 0;  // messages posted and not yet finished
  std::vector<Event> outbox_;
  // Delivered batches, destroyed on the worker thread: their memory came from the worker's malloc
  // arena, and freeing it on the main thread would take that arena's lock (contended by a busy
  // codec thread: measured stalls of the event loop with many codecs).
  std::vector<std::vector<Event>> delivered_;
  bool deliveryScheduled_ = false;
  bool channelOpen_ = true;

  std::thread thread_;
  // Worker thread only.
  std::unique_ptr<CodecCore> core_;
  uint32_t failedGeneration_ = UINT32_MAX;
};

class CodecWorker : public Napi::ObjectWrap<CodecWorker> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit CodecWorker(const Napi::CallbackInfo& info);
  ~CodecWorker() override;

  void KeepAlive(Napi::Env env);
  void AllowExit(Napi::Env env);

 private:
  Napi::Value Configure(const Napi::CallbackInfo& info);
  Napi::Value Encode(const Napi::CallbackInfo& info);
  Napi::Value Decode(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<WorkerState> state_;
  bool keepingAlive_ = false;
};

}  // namespace wcs
