// Zero-copy construction: an ArrayBuffer the caller transferred to us (the spec's `transfer`
// member) becomes an FFmpeg buffer without copying its bytes. The buffer keeps a Node-API
// reference to the ArrayBuffer; references can only be deleted on their environment's thread, so
// a buffer released on a codec thread queues its reference for the next main-thread drain.
#pragma once

#include <napi.h>

#include "ffmpeg.h"

namespace wcs {

AVBufferRef* AdoptArrayBuffer(Napi::Env env, const Napi::Value& view);
// Deletes the references released off the main thread since the last call (main thread only).
void DrainReleasedBuffers(napi_env env);
// Environment teardown: its references die with it.
void ForgetReleasedBuffers(napi_env env);

}  // namespace wcs
