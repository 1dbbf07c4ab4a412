// isConfigSupported: the honest answer is to open the codec with the configuration, which can
// take milliseconds, so it runs on the libuv thread pool, never on the main thread.
#include "config_probe.h"

#include "codec_core.h"

namespace wcs {
namespace {

class ConfigProbe : public Napi::AsyncWorker {
 public:
  ConfigProbe(Napi::Env env, std::string role, ConfigMap config)
      : Napi::AsyncWorker(env, "webcodecs-streams:isConfigSupported"),
        deferred_(Napi::Promise::Deferred::New(env)),
        role_(std::move(role)),
        config_(std::move(config)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    std::unique_ptr<CodecCore> core = CreateCodecCore(role_);
    if (!core) {
      message_ = "unknown codec role";
      return;
    }
    try {
      core->Configure(config_, [](std::unique_ptr<CodecOutput>) {});
      supported_ = true;
    } catch (const CodecError& error) {
      message_ = error.message;
    } catch (const std::exception& error) {
      message_ = error.what();
    }
  }
  void OnOK() override {
    Napi::Object result = Napi::Object::New(Env());
    result.Set("supported", supported_);
    result.Set("message", message_);
    deferred_.Resolve(result);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string role_;
  ConfigMap config_;
  bool supported_ = false;
  std::string message_;
};

}  // namespace

// probeConfig(role, config) -> Promise<{ supported, message }>
Napi::Value ProbeConfig(const Napi::CallbackInfo& info) {
  auto* probe = new ConfigProbe(info.Env(), info[0].As<Napi::String>().Utf8Value(),
                                ConfigMap::FromObject(info[1].As<Napi::Object>()));
  Napi::Promise promise = probe->Promise();
  probe->Queue();
  return promise;
}

}  // namespace wcs
