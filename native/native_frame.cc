#include "native_frame.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "addon_data.h"
#include "frame_releaser.h"
#include "adopted_buffer.h"
#include "buffer_pool.h"
#include "live_counters.h"
#include "pixel_format.h"
#include "sample_format.h"

namespace wcs {
namespace {

int64_t FrameBytes(const AVFrame* frame) {
  int64_t total = 0;
  for (int i = 0; i < AV_NUM_DATA_POINTERS; i++) {
    if (frame->buf[i] != nullptr) total += frame->buf[i]->size;
  }
  for (int i = 0; i < frame->nb_extended_buf; i++) total += frame->extended_buf[i]->size;
  return total;
}

// One plane's rows to copy: JavaScript computes these from the spec's layout algorithm.
struct RowCopy {
  int plane;
  int64_t srcX;  // bytes from the start of a row
  int64_t srcY;  // first row
  int64_t rowBytes;
  int64_t rows;
  int64_t dstOffset;
  int64_t dstStride;
};

void CopyRows(const AVFrame* frame, uint8_t* dst, const std::vector<RowCopy>& copies) {
  for (const RowCopy& c : copies) {
    const uint8_t* src = frame->data[c.plane] + c.srcY * frame->linesize[c.plane] + c.srcX;
    for (int64_t row = 0; row < c.rows; row++) {
      std::memcpy(dst + c.dstOffset + row * c.dstStride, src + row * frame->linesize[c.plane], c.rowBytes);
    }
  }
}

// Runs a copy or conversion on the libuv thread pool and settles a promise on the main thread.
class FrameTask : public Napi::AsyncWorker {
 public:
  FrameTask(Napi::Env env, Napi::Object dest, std::function<std::string()> work)
      : Napi::AsyncWorker(env, "webcodecs-streams:copyTo"),
        deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)) {
    dest_ = Napi::Persistent(dest);
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    std::string error = work_();
    if (!error.empty()) SetError(error);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& error) override {
    Napi::Error e = Napi::Error::New(Env(), error.Message());
    e.Set("name", Napi::String::New(Env(), "EncodingError"));
    deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference dest_;  // keeps the destination buffer alive while the pool writes it
  std::function<std::string()> work_;
};

struct DestView {
  Napi::Object object;
  uint8_t* data;
  size_t length;
};

DestView GetDest(const Napi::Value& value) {
  Napi::Env env = value.Env();
  if (value.IsTypedArray()) {
    // napi_get_typedarray_info gives the data pointer directly, also for views of a
    // SharedArrayBuffer (whose buffer napi_get_arraybuffer_info would refuse).
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr);
    return {value.As<Napi::Object>(), static_cast<uint8_t*>(data), value.As<Napi::TypedArray>().ByteLength()};
  }
  if (value.IsDataView()) {
    Napi::DataView view = value.As<Napi::DataView>();
    return {view, static_cast<uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset(), view.ByteLength()};
  }
  if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    return {buffer, static_cast<uint8_t*>(buffer.Data()), buffer.ByteLength()};
  }
  throw Napi::TypeError::New(env, "destination must be an ArrayBuffer or ArrayBufferView");
}

// Copies the bytes of a JavaScript view into one new FFmpeg buffer (padded as FFmpeg requires).
AVBufferRef* CopyToAvBuffer(Napi::Env env, const Napi::Value& value) {
  DestView src = GetDest(value);
  AVBufferRef* buf = AllocatePooledBuffer(src.length);
  if (buf == nullptr) throw Napi::Error::New(env, "out of memory allocating a frame");
  std::memcpy(buf->data, src.data, src.length);
  return buf;
}

// copyTo(..., { colorSpace: 'display-p3' }): re-express sRGB (BT.709 primaries) pixels in
// Display P3 primaries. Both use the sRGB transfer curve, so: decode to linear light, apply the
// 3x3 primaries matrix (BT.709 -> P3, D65 white), encode again.
void ConvertSrgbToDisplayP3(uint8_t* pixels, int width, int height, int stride, bool bgr) {
  static const auto tables = [] {
    struct Tables {
      float toLinear[256];
      uint8_t toSrgb[4096];
    } t;
    for (int i = 0; i < 256; i++) {
      const double c = i / 255.0;
      t.toLinear[i] = static_cast<float>(c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4));
    }
    for (int i = 0; i < 4096; i++) {
      const double l = i / 4095.0;
      const double c = l <= 0.0031308 ? l * 12.92 : 1.055 * std::pow(l, 1 / 2.4) - 0.055;
      t.toSrgb[i] = static_cast<uint8_t>(std::lround(std::clamp(c, 0.0, 1.0) * 255));
    }
    return t;
  }();
  static const float m[3][3] = {{0.8225f, 0.1774f, 0.0000f}, {0.0332f, 0.9669f, 0.0000f}, {0.0171f, 0.0724f, 0.9108f}};
  const int r = bgr ? 2 : 0;
  const int b = bgr ? 0 : 2;
  auto encode = [&](float l) { return tables.toSrgb[static_cast<int>(std::clamp(l, 0.0f, 1.0f) * 4095.0f + 0.5f)]; };
  for (int y = 0; y < height; y++) {
    uint8_t* p = pixels + static_cast<int64_t>(y) * stride;
    for (int x = 0; x < width; x++, p += 4) {
      const float lr = tables.toLinear[p[r]], lg = tables.toLinear[p[1]], lb = tables.toLinear[p[b]];
      p[r] = encode(m[0][0] * lr + m[0][1] * lg + m[0][2] * lb);
      p[1] = encode(m[1][0] * lr + m[1][1] * lg + m[1][2] * lb);
      p[b] = encode(m[2][0] * lr + m[2][1] * lg + m[2][2] * lb);
    }
  }
}

}  // namespace

LiveCounters& Counters() {
  static LiveCounters counters;
  return counters;
}

Napi::Function NativeFrame::DefineClass(Napi::Env env) {
  return Napi::ObjectWrap<NativeFrame>::DefineClass(
      env, "NativeFrame",
      {
          StaticMethod<&NativeFrame::FromVideoBuffer>("fromVideoBuffer"),
          StaticMethod<&NativeFrame::FromAudioBuffer>("fromAudioBuffer"),
          InstanceMethod<&NativeFrame::Close>("close"),
          InstanceMethod<&NativeFrame::Clone>("clone"),
          InstanceMethod<&NativeFrame::CopyTo>("copyTo"),
          InstanceMethod<&NativeFrame::CopyToSync>("copyToSync"),
          InstanceMethod<&NativeFrame::ConvertTo>("convertTo"),
          InstanceMethod<&NativeFrame::Info>("info"),
          InstanceMethod<&NativeFrame::ByteLength>("byteLength"),
      });
}

Napi::Object NativeFrame::Wrap(Napi::Env env, FramePtr frame) {
  Napi::Object object = AddonData::Of(env)->nativeFrameClass.New({});
  NativeFrame::Unwrap(object)->Adopt(env, std::move(frame));
  return object;
}

NativeFrame* NativeFrame::FromValue(const Napi::Value& value) {
  if (!value.IsObject()) return nullptr;
  Napi::Object object = value.As<Napi::Object>();
  if (!object.InstanceOf(AddonData::Of(value.Env())->nativeFrameClass.Value())) return nullptr;
  return NativeFrame::Unwrap(object);
}

NativeFrame::NativeFrame(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeFrame>(info) {}

NativeFrame::~NativeFrame() {
  // Garbage collected without close(): release the memory now (JavaScript warns once).
  if (frame_) {
    if (IsAudio()) {
      Counters().audioData--;
      Counters().audioDataBytes -= bytes_;
    } else {
      Counters().videoFrames--;
      Counters().videoFrameBytes -= bytes_;
    }
    ReleaseFrameLater(std::move(frame_));
  }
}

bool NativeFrame::IsAudio() const { return frame_ && frame_->width == 0 && frame_->nb_samples > 0; }

void NativeFrame::Adopt(Napi::Env env, FramePtr frame) {
  frame_ = std::move(frame);
  bytes_ = FrameBytes(frame_.get());
  if (IsAudio()) {
    Counters().audioData++;
    Counters().audioDataBytes += bytes_;
  } else {
    Counters().videoFrames++;
    Counters().videoFrameBytes += bytes_;
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes_);
}

void NativeFrame::Release(Napi::Env env) {
  if (!frame_) return;
  if (IsAudio()) {
    Counters().audioData--;
    Counters().audioDataBytes -= bytes_;
  } else {
    Counters().videoFrames--;
    Counters().videoFrameBytes -= bytes_;
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, -bytes_);
  ReleaseFrameLater(std::move(frame_));
  bytes_ = 0;
}

// fromVideoBuffer(format, codedWidth, codedHeight, data, offsets[], strides[], adopt): one copy of
// the caller's bytes into one FFmpeg buffer (none when `adopt`: the caller transferred the
// buffer); planes point into it at the spec layout's offsets.
Napi::Value NativeFrame::FromVideoBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  AVPixelFormat format = PixelFormatFromName(name);
  if (format == AV_PIX_FMT_NONE) throw Napi::TypeError::New(env, "unsupported pixel format " + name);
  Napi::Array offsets = info[4].As<Napi::Array>();
  Napi::Array strides = info[5].As<Napi::Array>();
  FramePtr frame = MakeFrame();
  frame->format = format;
  frame->width = info[1].As<Napi::Number>().Int32Value();
  frame->height = info[2].As<Napi::Number>().Int32Value();
  const bool adopt = info.Length() > 6 && info[6].ToBoolean().Value();
  frame->buf[0] = adopt ? AdoptArrayBuffer(env, info[3]) : CopyToAvBuffer(env, info[3]);
  for (uint32_t i = 0; i < offsets.Length() && i < 4; i++) {
    frame->data[i] = frame->buf[0]->data + offsets.Get(i).As<Napi::Number>().Int64Value();
    frame->linesize[i] = strides.Get(i).As<Napi::Number>().Int32Value();
  }
  return Wrap(env, std::move(frame));
}

// fromAudioBuffer(format, sampleRate, numberOfChannels, numberOfFrames, data)
Napi::Value NativeFrame::FromAudioBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  AVSampleFormat format = SampleFormatFromName(name);
  if (format == AV_SAMPLE_FMT_NONE) throw Napi::TypeError::New(env, "unsupported sample format " + name);
  int channels = info[2].As<Napi::Number>().Int32Value();
  int samples = info[3].As<Napi::Number>().Int32Value();
  FramePtr frame = MakeFrame();
  frame->format = format;
  frame->sample_rate = info[1].As<Napi::Number>().Int32Value();
  frame->nb_samples = samples;
  av_channel_layout_default(&frame->ch_layout, channels);
  frame->buf[0] = CopyToAvBuffer(env, info[4]);
  const int bytes = av_get_bytes_per_sample(format);
  if (av_sample_fmt_is_planar(format)) {
    if (channels > AV_NUM_DATA_POINTERS) {
      frame->extended_data = static_cast<uint8_t**>(av_calloc(channels, sizeof(uint8_t*)));
    }
    for (int c = 0; c < channels; c++) {
      frame->extended_data[c] = frame->buf[0]->data + static_cast<int64_t>(c) * samples * bytes;
      if (c < AV_NUM_DATA_POINTERS) frame->data[c] = frame->extended_data[c];
    }
    frame->linesize[0] = samples * bytes;
  } else {
    frame->data[0] = frame->buf[0]->data;
    frame->linesize[0] = samples * bytes * channels;
  }
  return Wrap(env, std::move(frame));
}

Napi::Value NativeFrame::Close(const Napi::CallbackInfo& info) {
  Release(info.Env());
  return info.Env().Undefined();
}

Napi::Value NativeFrame::Clone(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!frame_) throw Napi::Error::New(env, "frame is closed");
  return Wrap(env, RefFrame(frame_.get()));
}

// The row copies JavaScript computed (spec layout algorithms), checked against the frame and the
// destination so a wrong computation can never write or read out of bounds.
std::vector<RowCopy> ParseRowCopies(Napi::Env env, const AVFrame* frame, const Napi::Array& list, size_t destLength,
                                    int64_t* totalBytes) {
  std::vector<RowCopy> copies;
  int64_t total = 0;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Object c = list.Get(i).As<Napi::Object>();
    RowCopy rc{c.Get("plane").As<Napi::Number>().Int32Value(),
               c.Get("srcX").As<Napi::Number>().Int64Value(),
               c.Get("srcY").As<Napi::Number>().Int64Value(),
               c.Get("rowBytes").As<Napi::Number>().Int64Value(),
               c.Get("rows").As<Napi::Number>().Int64Value(),
               c.Get("dstOffset").As<Napi::Number>().Int64Value(),
               c.Get("dstStride").As<Napi::Number>().Int64Value()};
    if (rc.plane < 0 || rc.plane >= AV_NUM_DATA_POINTERS || frame->data[rc.plane] == nullptr) {
      throw Napi::RangeError::New(env, "plane index out of range");
    }
    if (rc.rows > 0 && rc.dstOffset + (rc.rows - 1) * rc.dstStride + rc.rowBytes > static_cast<int64_t>(destLength)) {
      throw Napi::TypeError::New(env, "destination is too small for the requested layout");
    }
    total += rc.rowBytes * rc.rows;
    copies.push_back(rc);
  }
  *totalBytes = total;
  return copies;
}

// copyTo(dest, copies[]) -> Promise<void>. Small copies run inline (a thread hop would cost more
// than the copy); large ones on the thread pool.
Napi::Value NativeFrame::CopyTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!frame_) throw Napi::Error::New(env, "frame is closed");
  DestView dest = GetDest(info[0]);
  int64_t total = 0;
  std::vector<RowCopy> copies = ParseRowCopies(env, frame_.get(), info[1].As<Napi::Array>(), dest.length, &total);
  if (total < (256 << 10)) {
    CopyRows(frame_.get(), dest.data, copies);
    Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    deferred.Resolve(env.Undefined());
    return deferred.Promise();
  }
  std::shared_ptr<AVFrame> ref(av_frame_clone(frame_.get()), [](AVFrame* f) { av_frame_free(&f); });
  uint8_t* dst = dest.data;
  auto* task = new FrameTask(env, dest.object, [ref, dst, copies]() {
    CopyRows(ref.get(), dst, copies);
    return std::string();
  });
  Napi::Promise promise = task->Promise();
  task->Queue();
  return promise;
}

// copyToSync(dest, copies[]): for AudioData.copyTo, which the spec makes synchronous.
Napi::Value NativeFrame::CopyToSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!frame_) throw Napi::Error::New(env, "frame is closed");
  DestView dest = GetDest(info[0]);
  int64_t total = 0;
  CopyRows(frame_.get(), dest.data, ParseRowCopies(env, frame_.get(), info[1].As<Napi::Array>(), dest.length, &total));
  return env.Undefined();
}

// convertTo(dest, format, x, y, width, height, dstOffset, dstStride) -> Promise<void>: the
// visible rect converted with libswscale to a packed RGB format, on the thread pool.
Napi::Value NativeFrame::ConvertTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!frame_) throw Napi::Error::New(env, "frame is closed");
  DestView dest = GetDest(info[0]);
  AVPixelFormat dstFormat = PixelFormatFromName(info[1].As<Napi::String>().Utf8Value());
  int x = info[2].As<Napi::Number>().Int32Value();
  int y = info[3].As<Napi::Number>().Int32Value();
  int w = info[4].As<Napi::Number>().Int32Value();
  int h = info[5].As<Napi::Number>().Int32Value();
  int64_t dstOffset = info[6].As<Napi::Number>().Int64Value();
  int dstStride = info[7].As<Napi::Number>().Int32Value();
  int colorspace = info.Length() > 8 ? info[8].As<Napi::Number>().Int32Value() : SWS_CS_ITU709;
  bool fullRange = info.Length() > 9 && info[9].As<Napi::Boolean>().Value();
  bool displayP3 = info.Length() > 10 && info[10].ToBoolean().Value();
  if (dstOffset + static_cast<int64_t>(h - 1) * dstStride + static_cast<int64_t>(w) * 4 > static_cast<int64_t>(dest.length)) {
    throw Napi::TypeError::New(env, "destination is too small for the requested layout");
  }
  std::shared_ptr<AVFrame> ref(av_frame_clone(frame_.get()), [](AVFrame* f) { av_frame_free(&f); });
  uint8_t* dst = dest.data + dstOffset;
  auto* task = new FrameTask(env, dest.object, [=]() -> std::string {
    const AVPixelFormat srcFormat = static_cast<AVPixelFormat>(ref->format);
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(srcFormat);
    // Point at the rect's top-left sample of every plane (the rect is sub-sampling aligned).
    const uint8_t* planes[4] = {nullptr, nullptr, nullptr, nullptr};
    int strides[4] = {0, 0, 0, 0};
    for (int p = 0; p < 4 && ref->data[p] != nullptr; p++) {
      const bool chroma = (p == 1 || p == 2) && !(desc->flags & AV_PIX_FMT_FLAG_RGB);
      const int sx = chroma ? (x >> desc->log2_chroma_w) : x;
      const int sy = chroma ? (y >> desc->log2_chroma_h) : y;
      int stepBytes = 0;
      for (int c = 0; c < desc->nb_components; c++) {
        if (desc->comp[c].plane == p) stepBytes = desc->comp[c].step;
      }
      planes[p] = ref->data[p] + static_cast<int64_t>(sy) * ref->linesize[p] + static_cast<int64_t>(sx) * stepBytes;
      strides[p] = ref->linesize[p];
    }
    SwsPtr sws(sws_getContext(w, h, srcFormat, w, h, dstFormat, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                              nullptr, nullptr, nullptr));
    if (!sws) return "cannot convert from this pixel format";
    const int* coefficients = sws_getCoefficients(colorspace);
    sws_setColorspaceDetails(sws.get(), coefficients, fullRange ? 1 : 0, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0,
                             1 << 16, 1 << 16);
    uint8_t* dstPlanes[4] = {dst, nullptr, nullptr, nullptr};
    int dstStrides[4] = {dstStride, 0, 0, 0};
    sws_scale(sws.get(), planes, strides, 0, h, dstPlanes, dstStrides);
    if (dstFormat == AV_PIX_FMT_RGB0 || dstFormat == AV_PIX_FMT_BGR0) {
      // RGBX/BGRX are always opaque: write the padding byte as 255 (as browsers do) rather than
      // whatever an RGBX/BGRX source carried there (libswscale copies it unchanged).
      for (int row = 0; row < h; row++) {
        uint8_t* pixel = dst + static_cast<int64_t>(row) * dstStride + 3;
        for (int col = 0; col < w; col++, pixel += 4) *pixel = 0xff;
      }
    }
    if (displayP3) ConvertSrgbToDisplayP3(dst, w, h, dstStride, dstFormat == AV_PIX_FMT_BGRA || dstFormat == AV_PIX_FMT_BGR0);
    return std::string();
  });
  Napi::Promise promise = task->Promise();
  task->Queue();
  return promise;
}

// byteLength(): bytes this reference keeps alive (0 once closed); cheap, for queue accounting.
Napi::Value NativeFrame::ByteLength(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(bytes_));
}

// info(): what JavaScript needs to describe the frame (decoder outputs carry no JS-side init).
Napi::Value NativeFrame::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  if (!frame_) return env.Null();
  if (IsAudio()) {
    out.Set("format", Napi::String::New(env, SampleFormatName(static_cast<AVSampleFormat>(frame_->format))));
    out.Set("sampleRate", frame_->sample_rate);
    out.Set("numberOfFrames", frame_->nb_samples);
    out.Set("numberOfChannels", frame_->ch_layout.nb_channels);
  } else {
    out.Set("format", Napi::String::New(env, PixelFormatName(static_cast<AVPixelFormat>(frame_->format))));
    out.Set("codedWidth", frame_->width);
    out.Set("codedHeight", frame_->height);
    out.Set("cropLeft", static_cast<double>(frame_->crop_left));
    out.Set("cropTop", static_cast<double>(frame_->crop_top));
    out.Set("cropRight", static_cast<double>(frame_->crop_right));
    out.Set("cropBottom", static_cast<double>(frame_->crop_bottom));
    out.Set("primaries", static_cast<int>(frame_->color_primaries));
    out.Set("transfer", static_cast<int>(frame_->color_trc));
    out.Set("matrix", static_cast<int>(frame_->colorspace));
    out.Set("range", static_cast<int>(frame_->color_range));
    out.Set("sarNum", frame_->sample_aspect_ratio.num);
    out.Set("sarDen", frame_->sample_aspect_ratio.den);
  }
  out.Set("bytes", static_cast<double>(bytes_));
  return out;
}

}  // namespace wcs
