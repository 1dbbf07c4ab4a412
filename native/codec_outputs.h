// The two kinds of output a core produces, as JavaScript sees them:
//   encoders: { data, key, timestamp, duration?, description?, extra? }
//   decoders: { frame: NativeFrame, timestamp, duration? }
#pragma once

#include <napi.h>

#include <optional>
#include <vector>

#include "codec_core.h"
#include "native_frame.h"

namespace wcs {

class PacketOutput : public CodecOutput {
 public:
  std::vector<uint8_t> data;
  bool key = false;
  int64_t timestamp = 0;
  std::optional<int64_t> duration;
  // Set on the first packet after the codec was (re)opened: the codec's out-of-band setup
  // (avcC, hvcC, ...). JavaScript decides whether it changed the active output config.
  std::optional<std::vector<uint8_t>> description;
  bool newConfig = false;
  ConfigMap extra;  // codec-specific metadata (e.g. temporalLayerId)

  Napi::Value ToJS(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("data", Napi::Buffer<uint8_t>::Copy(env, data.data(), data.size()));
    out.Set("key", key);
    out.Set("timestamp", static_cast<double>(timestamp));
    if (duration) out.Set("duration", static_cast<double>(*duration));
    if (newConfig) out.Set("newConfig", true);
    if (description) out.Set("description", Napi::Buffer<uint8_t>::Copy(env, description->data(), description->size()));
    if (!extra.Empty()) out.Set("extra", extra.ToObject(env));
    return out;
  }
};

class FrameOutput : public CodecOutput {
 public:
  FramePtr frame;
  int64_t timestamp = 0;
  std::optional<int64_t> duration;

  Napi::Value ToJS(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("frame", NativeFrame::Wrap(env, std::move(frame)));
    out.Set("timestamp", static_cast<double>(timestamp));
    if (duration) out.Set("duration", static_cast<double>(*duration));
    return out;
  }
};

// Carries each input's timestamp and duration to the output made from it, whatever the codec's
// reordering: inputs get consecutive pts values, outputs look theirs up. Bounded: entries the
// codec never returns (dropped frames) are evicted oldest first.
class TimestampMap {
 public:
  struct Entry {
    int64_t timestamp;
    std::optional<int64_t> duration;
  };
  int64_t Add(int64_t timestamp, std::optional<int64_t> duration) {
    const int64_t pts = next_++;
    entries_.emplace(pts, Entry{timestamp, duration});
    while (entries_.size() > kMaxEntries) entries_.erase(entries_.begin());
    return pts;
  }
  // The entry for `pts`, removed; for an unknown pts, the oldest one (best effort).
  std::optional<Entry> Take(int64_t pts) {
    auto it = entries_.find(pts);
    if (it == entries_.end()) {
      if (entries_.empty()) return std::nullopt;
      it = entries_.begin();
    }
    Entry entry = it->second;
    entries_.erase(it);
    return entry;
  }
  void Clear() { entries_.clear(); }

 private:
  static constexpr size_t kMaxEntries = 1024;
  int64_t next_ = 0;
  std::map<int64_t, Entry> entries_;
};

}  // namespace wcs
