#pragma once

#include <napi.h>

namespace wcs {

Napi::Value ProbeConfig(const Napi::CallbackInfo& info);

}  // namespace wcs
