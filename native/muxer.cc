#include "muxer.h"

#include <cstring>
#include <vector>

#include "config_map.h"

extern "C" {
#include <libavutil/display.h>
}

namespace wcs {

namespace {

constexpr AVRational kMicroseconds{1, 1000000};
// Inputs waiting in the inbox before write() reports "full": enough to keep the thread busy.
constexpr size_t kInboxCapacity = 16;
// Bytes handed to the reader and not yet taken before the muxer waits for it.
constexpr size_t kUnreadLimit = 1 << 20;

int64_t FromMicroseconds(int64_t us, AVRational timeBase) {
  return av_rescale_q_rnd(us, kMicroseconds, timeBase, static_cast<AVRounding>(AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX));
}

AvioWorker::Event ErrorEvent(const std::string& code, const std::string& message) {
  return [code, message](Napi::Env env) -> Napi::Value {
    Napi::Object event = Napi::Object::New(env);
    event.Set("type", "error");
    event.Set("code", code);
    event.Set("message", message);
    return event;
  };
}

AvioWorker::Event SimpleEvent(const char* type) {
  return [type](Napi::Env env) -> Napi::Value {
    Napi::Object event = Napi::Object::New(env);
    event.Set("type", type);
    return event;
  };
}

struct OpenRequest {
  std::string format;
  std::string path;  // empty: stream the bytes to JavaScript
  std::vector<std::pair<std::string, std::string>> options;  // the muxer's own options (movflags, ...)
  std::vector<ConfigMap> tracks;
};

}  // namespace

// Everything the worker thread owns.
struct MuxState {
  AVFormatContext* format = nullptr;
  bool ownsFile = false;  // pb was opened here (a path), not the JavaScript sink
  bool headerWritten = false;
  bool failed = false;
  std::vector<int64_t> lastDts;

  ~MuxState() { Free(); }
  void Free() {
    if (format == nullptr) return;
    if (ownsFile) avio_closep(&format->pb);
    avformat_free_context(format);
    format = nullptr;
  }

  struct Failure {
    std::string code;  // "" on success
    std::string message;
  };
  static Failure Unsupported(std::string message) { return {"unsupported", std::move(message)}; }
  static Failure OutOfMemory() { return {"io", "out of memory"}; }

  Failure Open(const OpenRequest& request, AvioSink* sink) {
    const AVOutputFormat* output = av_guess_format(request.format.c_str(), nullptr, nullptr);
    if (output == nullptr) return Unsupported("FFmpeg has no muxer named \"" + request.format + "\"");
    // The file name matters: +faststart re-opens the file by it to move the index to the front.
    const std::string url = request.path.empty() ? "" : "file:" + request.path;
    if (avformat_alloc_output_context2(&format, output, nullptr, url.empty() ? nullptr : url.c_str()) < 0 || format == nullptr) {
      return OutOfMemory();
    }
    format->protocol_whitelist = av_strdup("file");
    for (const ConfigMap& track : request.tracks) {
      const std::string codecName = track.String("codecName");
      const AVCodecDescriptor* codec = avcodec_descriptor_get_by_name(codecName.c_str());
      if (codec == nullptr) return Unsupported("FFmpeg does not know the codec \"" + codecName + "\"");
      if (avformat_query_codec(output, codec->id, FF_COMPLIANCE_NORMAL) == 0) {
        return Unsupported("the " + request.format + " format cannot hold " + codecName);
      }
      AVStream* st = avformat_new_stream(format, nullptr);
      if (st == nullptr) return OutOfMemory();
      AVCodecParameters* par = st->codecpar;
      par->codec_id = codec->id;
      par->codec_type = codec->type;
      if (const ConfigMap::Bytes* extradata = track.BytesOf("extradata")) {
        par->extradata = static_cast<uint8_t*>(av_mallocz(extradata->size() + AV_INPUT_BUFFER_PADDING_SIZE));
        if (par->extradata == nullptr) return OutOfMemory();
        if (!extradata->empty()) std::memcpy(par->extradata, extradata->data(), extradata->size());
        par->extradata_size = static_cast<int>(extradata->size());
      }
      st->time_base = AVRational{static_cast<int>(track.Int("timeBaseNum", 1)), static_cast<int>(track.Int("timeBaseDen", 1000000))};
      if (codec->type == AVMEDIA_TYPE_VIDEO) {
        par->width = static_cast<int>(track.Int("width", 0));
        par->height = static_cast<int>(track.Int("height", 0));
        // Some sample entries are built from these rather than from extradata (MP4's vpcC).
        par->format = av_get_pix_fmt(track.String("pixelFormat", "yuv420p").c_str());
        if (track.Has("profile")) par->profile = static_cast<int>(track.Int("profile", 0));
        if (track.Has("level")) par->level = static_cast<int>(track.Int("level", 0));
        if (track.Has("sarNum")) {
          par->sample_aspect_ratio = AVRational{static_cast<int>(track.Int("sarNum", 1)), static_cast<int>(track.Int("sarDen", 1))};
          st->sample_aspect_ratio = par->sample_aspect_ratio;
        }
        if (track.Has("frameRateNum")) {
          st->avg_frame_rate = AVRational{static_cast<int>(track.Int("frameRateNum", 0)), static_cast<int>(track.Int("frameRateDen", 1))};
        }
        const double rotation = track.Number("rotation", 0);
        const bool flip = track.Bool("flip", false);
        if (rotation != 0 || flip) {
          auto* matrix = reinterpret_cast<int32_t*>(av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t)));
          if (matrix == nullptr) return OutOfMemory();
          av_display_rotation_set(matrix, -rotation);  // WebCodecs turns clockwise, FFmpeg counterclockwise
          if (flip) av_display_matrix_flip(matrix, 1, 0);
        }
      } else {
        par->sample_rate = static_cast<int>(track.Int("sampleRate", 0));
        av_channel_layout_default(&par->ch_layout, static_cast<int>(track.Int("channels", 0)));
        if (track.Has("frameSize")) par->frame_size = static_cast<int>(track.Int("frameSize", 0));
      }
    }
    if (request.path.empty()) {
      format->pb = sink->Context();
      format->flags |= AVFMT_FLAG_CUSTOM_IO;
    } else {
      AVDictionary* ioOptions = nullptr;
      av_dict_set(&ioOptions, "protocol_whitelist", "file", 0);
      // No interrupt callback: local writes do not block, and an aborted file keeps what was written
      // (--keep-partial) only if its last buffer can still be flushed.
      const int err = avio_open2(&format->pb, url.c_str(), AVIO_FLAG_WRITE, nullptr, &ioOptions);
      av_dict_free(&ioOptions);
      if (err < 0) return {"io", "cannot write " + request.path + ": " + AvErrorString(err)};
      ownsFile = true;
    }
    AVDictionary* options = nullptr;
    for (const auto& [key, value] : request.options) av_dict_set(&options, key.c_str(), value.c_str(), 0);
    const int err = avformat_write_header(format, &options);
    av_dict_free(&options);
    if (err < 0) {
      return {err == AVERROR_EXIT ? "cancelled" : "invalid-config",
              "the " + request.format + " muxer refused the tracks (" + AvErrorString(err) +
                  "); check each track's codec, size, sample rate and description"};
    }
    headerWritten = true;
    lastDts.assign(format->nb_streams, AV_NOPTS_VALUE);
    return {};
  }
};

Napi::Function Muxer::DefineClass(Napi::Env env) {
  return Napi::ObjectWrap<Muxer>::DefineClass(env, "Muxer",
                                              {
                                                  InstanceMethod<&Muxer::Open>("open"),
                                                  InstanceMethod<&Muxer::Write>("write"),
                                                  InstanceMethod<&Muxer::Finish>("finish"),
                                                  InstanceMethod<&Muxer::Ack>("ack"),
                                                  InstanceMethod<&Muxer::Close>("close"),
                                              });
}

Muxer::Muxer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Muxer>(info) {
  state_ = std::make_shared<MuxState>();
  std::shared_ptr<MuxState> state = state_;
  // The sink delivers through the worker, created just below (weak: no reference cycle).
  auto worker = std::make_shared<std::weak_ptr<AvioWorker>>();
  sink_ = std::make_shared<AvioSink>(
      [worker](std::vector<uint8_t> bytes) {
        if (auto w = worker->lock()) {
          auto data = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
          w->Emit([data](Napi::Env env) -> Napi::Value {
            Napi::Object event = Napi::Object::New(env);
            event.Set("type", "data");
            event.Set("bytes", Napi::Buffer<uint8_t>::Copy(env, data->data(), data->size()));
            return event;
          });
        }
      },
      kUnreadLimit);
  std::shared_ptr<AvioSink> sink = sink_;
  worker_ = AvioWorker::Start(
      info.Env(), this, "webcodecs-streams:muxer", kInboxCapacity, [state]() { state->Free(); },
      [sink]() { sink->Cancel(); });
  *worker = worker_;
}

Muxer::~Muxer() {
  worker_->Detach();
  worker_->Close();
}

// open({ format, path?, options: {name: value}, tracks: [{ codecName, extradata?, timeBaseNum,
//   timeBaseDen, width/height/pixelFormat/profile/level/sarNum/sarDen/frameRateNum/frameRateDen/rotation/flip (video),
//   sampleRate/channels/frameSize (audio) }] })
Napi::Value Muxer::Open(const Napi::CallbackInfo& info) {
  Napi::Object config = info[0].As<Napi::Object>();
  OpenRequest request;
  request.format = config.Get("format").As<Napi::String>().Utf8Value();
  if (config.Get("path").IsString()) request.path = config.Get("path").As<Napi::String>().Utf8Value();
  if (config.Get("options").IsObject()) {
    Napi::Object options = config.Get("options").As<Napi::Object>();
    Napi::Array keys = options.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); i++) {
      const std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
      request.options.emplace_back(key, options.Get(key).ToString().Utf8Value());
    }
  }
  Napi::Array tracks = config.Get("tracks").As<Napi::Array>();
  for (uint32_t i = 0; i < tracks.Length(); i++) request.tracks.push_back(ConfigMap::FromObject(tracks.Get(i).As<Napi::Object>()));
  std::shared_ptr<MuxState> state = state_;
  std::shared_ptr<AvioSink> sink = sink_;
  AvioWorker* w = worker_.get();
  worker_->Post([state, sink, request, w]() {
    MuxState::Failure failure;
    try {
      failure = state->Open(request, sink.get());
    } catch (const std::bad_alloc&) {
      failure = MuxState::OutOfMemory();
    }
    if (!failure.code.empty()) {
      state->failed = true;
      state->Free();
      return w->Emit(ErrorEvent(failure.code, failure.message));
    }
    w->Emit(SimpleEvent("opened"));
  });
  return info.Env().Undefined();
}

// write(track, data, pts, dts, duration | undefined, key) -> accepted
Napi::Value Muxer::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int track = static_cast<int>(info[0].As<Napi::Number>().Int32Value());
  Napi::TypedArray view = info[1].As<Napi::TypedArray>();
  PacketPtr packet = MakePacket();
  if (av_new_packet(packet.get(), static_cast<int>(view.ByteLength())) < 0) throw Napi::Error::New(env, "out of memory");
  if (view.ByteLength() > 0) {
    if (view.ByteLength() > 0) std::memcpy(packet->data, static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset(), view.ByteLength());
  }
  packet->stream_index = track;
  packet->pts = info[2].As<Napi::Number>().Int64Value();
  packet->dts = info[3].As<Napi::Number>().Int64Value();
  packet->duration = info[4].IsNumber() ? info[4].As<Napi::Number>().Int64Value() : 0;
  if (info[5].ToBoolean().Value()) packet->flags |= AV_PKT_FLAG_KEY;
  std::shared_ptr<MuxState> state = state_;
  AvioWorker* w = worker_.get();
  auto shared = std::make_shared<PacketPtr>(std::move(packet));
  const bool accepted = worker_->Post(
      [state, shared, w]() {
        if (state->failed || !state->headerWritten) return;
        AVPacket* p = shared->get();
        AVStream* st = state->format->streams[p->stream_index];
        p->pts = FromMicroseconds(p->pts, st->time_base);
        p->dts = FromMicroseconds(p->dts, st->time_base);
        if (p->duration > 0) p->duration = FromMicroseconds(p->duration, st->time_base);
        // Rounding to a coarse time base (Matroska's milliseconds) may make two decode
        // timestamps equal; muxers need them strictly increasing.
        int64_t& last = state->lastDts[p->stream_index];
        if (last != AV_NOPTS_VALUE && p->dts <= last) p->dts = last + 1;
        if (p->pts < p->dts) p->pts = p->dts;
        last = p->dts;
        const int err = av_interleaved_write_frame(state->format, p);
        if (err < 0) {
          state->failed = true;
          w->Emit(ErrorEvent(err == AVERROR_EXIT ? "cancelled" : "io", "writing a packet failed: " + AvErrorString(err)));
        }
      },
      true);
  return Napi::Boolean::New(env, accepted);
}

Napi::Value Muxer::Finish(const Napi::CallbackInfo& info) {
  std::shared_ptr<MuxState> state = state_;
  AvioWorker* w = worker_.get();
  worker_->Post([state, w]() {
    if (state->failed || !state->headerWritten) return;
    int err = av_write_trailer(state->format);
    if (err >= 0 && state->ownsFile) {
      err = avio_closep(&state->format->pb);
      state->ownsFile = false;
    } else if (err >= 0) {
      avio_flush(state->format->pb);
      err = state->format->pb->error;
    }
    state->Free();
    if (err < 0) {
      state->failed = true;
      return w->Emit(ErrorEvent(err == AVERROR_EXIT ? "cancelled" : "io", "finishing the file failed: " + AvErrorString(err)));
    }
    w->Emit(SimpleEvent("finished"));
  });
  return info.Env().Undefined();
}

Napi::Value Muxer::Ack(const Napi::CallbackInfo& info) {
  sink_->Ack(static_cast<size_t>(info[0].As<Napi::Number>().Int64Value()));
  return info.Env().Undefined();
}

Napi::Value Muxer::Close(const Napi::CallbackInfo& info) {
  worker_->Close();
  return info.Env().Undefined();
}

}  // namespace wcs
