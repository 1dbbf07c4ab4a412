// A plain request built by JavaScript (validated there) and read by the codec cores on their
// worker thread. Converted from a flat JS object on the main thread, so the worker never
// touches a JavaScript value (the sharp "baton" pattern).
#pragma once

#include <napi.h>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace wcs {

class ConfigMap {
 public:
  using Bytes = std::vector<uint8_t>;
  using Value = std::variant<double, bool, std::string, Bytes>;

  ConfigMap() = default;

  // Accepts numbers, booleans, strings and ArrayBuffer views / ArrayBuffers; other members
  // (undefined, null, nested objects) are skipped: JavaScript flattens what the core needs.
  static ConfigMap FromObject(const Napi::Object& object) {
    ConfigMap map;
    Napi::Array keys = object.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); i++) {
      std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
      Napi::Value value = object.Get(key);
      if (value.IsNumber()) {
        map.values_[key] = value.As<Napi::Number>().DoubleValue();
      } else if (value.IsBoolean()) {
        map.values_[key] = value.As<Napi::Boolean>().Value();
      } else if (value.IsString()) {
        map.values_[key] = value.As<Napi::String>().Utf8Value();
      } else if (value.IsTypedArray()) {
        Napi::TypedArray view = value.As<Napi::TypedArray>();
        const uint8_t* data = static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
        map.values_[key] = Bytes(data, data + view.ByteLength());
      } else if (value.IsDataView()) {
        Napi::DataView view = value.As<Napi::DataView>();
        const uint8_t* data = static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
        map.values_[key] = Bytes(data, data + view.ByteLength());
      } else if (value.IsArrayBuffer()) {
        Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
        const uint8_t* data = static_cast<const uint8_t*>(buffer.Data());
        map.values_[key] = Bytes(data, data + buffer.ByteLength());
      }
    }
    return map;
  }

  bool Has(const std::string& key) const { return values_.count(key) > 0; }

  double Number(const std::string& key, double fallback) const {
    auto it = values_.find(key);
    if (it == values_.end()) return fallback;
    if (auto* n = std::get_if<double>(&it->second)) return *n;
    return fallback;
  }
  int64_t Int(const std::string& key, int64_t fallback) const {
    return static_cast<int64_t>(Number(key, static_cast<double>(fallback)));
  }
  bool Bool(const std::string& key, bool fallback) const {
    auto it = values_.find(key);
    if (it == values_.end()) return fallback;
    if (auto* b = std::get_if<bool>(&it->second)) return *b;
    return fallback;
  }
  std::string String(const std::string& key, const std::string& fallback = "") const {
    auto it = values_.find(key);
    if (it == values_.end()) return fallback;
    if (auto* s = std::get_if<std::string>(&it->second)) return *s;
    return fallback;
  }
  const Bytes* BytesOf(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) return nullptr;
    return std::get_if<Bytes>(&it->second);
  }

  void Set(const std::string& key, Value value) { values_[key] = std::move(value); }

  Napi::Object ToObject(Napi::Env env) const {
    Napi::Object object = Napi::Object::New(env);
    for (const auto& [key, value] : values_) {
      if (auto* n = std::get_if<double>(&value)) {
        object.Set(key, Napi::Number::New(env, *n));
      } else if (auto* b = std::get_if<bool>(&value)) {
        object.Set(key, Napi::Boolean::New(env, *b));
      } else if (auto* s = std::get_if<std::string>(&value)) {
        object.Set(key, Napi::String::New(env, *s));
      } else if (auto* bytes = std::get_if<Bytes>(&value)) {
        object.Set(key, Napi::Buffer<uint8_t>::Copy(env, bytes->data(), bytes->size()));
      }
    }
    return object;
  }

  bool operator==(const ConfigMap& other) const { return values_ == other.values_; }
  bool operator!=(const ConfigMap& other) const { return !(*this == other); }
  bool Empty() const { return values_.empty(); }

 private:
  std::map<std::string, Value> values_;
};

}  // namespace wcs
