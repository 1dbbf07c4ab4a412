#include "adopted_buffer.h"

#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace wcs {
namespace {

struct Adopted {
  napi_env env;
  napi_ref ref;
  std::thread::id owner;
};

// Process-wide (not per environment) because a codec thread may release a buffer while its
// environment is being torn down; entries of a torn-down environment are forgotten, not deleted.
std::mutex pendingMutex;
std::vector<Adopted*> pending;

void ReleaseAdopted(void* opaque, uint8_t*) {
  auto* adopted = static_cast<Adopted*>(opaque);
  if (std::this_thread::get_id() == adopted->owner) {
    napi_delete_reference(adopted->env, adopted->ref);
    delete adopted;
    return;
  }
  std::lock_guard<std::mutex> lock(pendingMutex);
  pending.push_back(adopted);
}

}  // namespace

AVBufferRef* AdoptArrayBuffer(Napi::Env env, const Napi::Value& value) {
  Napi::ArrayBuffer buffer;
  size_t offset = 0;
  size_t length = 0;
  if (value.IsTypedArray()) {
    Napi::TypedArray view = value.As<Napi::TypedArray>();
    buffer = view.ArrayBuffer();
    offset = view.ByteOffset();
    length = view.ByteLength();
  } else if (value.IsArrayBuffer()) {
    buffer = value.As<Napi::ArrayBuffer>();
    length = buffer.ByteLength();
  } else {
    throw Napi::TypeError::New(env, "transfer: expected an ArrayBuffer or typed array");
  }
  DrainReleasedBuffers(env);
  auto* adopted = new Adopted{env, nullptr, std::this_thread::get_id()};
  if (napi_create_reference(env, buffer, 1, &adopted->ref) != napi_ok) {
    delete adopted;
    throw Napi::Error::New(env, "cannot reference the transferred buffer");
  }
  uint8_t* data = static_cast<uint8_t*>(buffer.Data()) + offset;
  AVBufferRef* ref = av_buffer_create(data, length, ReleaseAdopted, adopted, 0);
  if (ref == nullptr) {
    napi_delete_reference(env, adopted->ref);
    delete adopted;
    throw Napi::Error::New(env, "out of memory wrapping the transferred buffer");
  }
  return ref;
}

void DrainReleasedBuffers(napi_env env) {
  std::vector<Adopted*> mine;
  {
    std::lock_guard<std::mutex> lock(pendingMutex);
    if (pending.empty()) return;
    auto it = pending.begin();
    while (it != pending.end()) {
      if ((*it)->env == env) {
        mine.push_back(*it);
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Adopted* adopted : mine) {
    napi_delete_reference(env, adopted->ref);
    delete adopted;
  }
}

void ForgetReleasedBuffers(napi_env env) {
  std::lock_guard<std::mutex> lock(pendingMutex);
  auto it = pending.begin();
  while (it != pending.end()) {
    if ((*it)->env == env) {
      delete *it;
      it = pending.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace wcs
