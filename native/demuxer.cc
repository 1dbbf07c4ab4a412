#include "demuxer.h"

#include <cstdlib>

#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

extern "C" {
#include <libavutil/display.h>
}

namespace wcs {

namespace {

constexpr AVRational kMicroseconds{1, 1000000};

int64_t ToMicroseconds(int64_t ts, AVRational timeBase) {
  return av_rescale_q_rnd(ts, timeBase, kMicroseconds, static_cast<AVRounding>(AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX));
}

std::string FourCC(uint32_t tag) {
  if (tag == 0) return "";
  std::string s;
  for (int i = 0; i < 4; i++) {
    const char c = static_cast<char>((tag >> (8 * i)) & 0xff);
    s.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return s;
}

// Error categories JavaScript turns into its error messages and the CLI into exit codes.
const char* ErrorCode(int err) {
  if (err == AVERROR(ENOENT)) return "not-found";
  if (err == AVERROR_EXIT) return "cancelled";
  if (err == AVERROR_INVALIDDATA || err == AVERROR_EOF) return "invalid-data";
  if (err == AVERROR_DEMUXER_NOT_FOUND || err == AVERROR_STREAM_NOT_FOUND || err == AVERROR_DECODER_NOT_FOUND) {
    return "unsupported";
  }
  return "io";
}

struct StreamInfo {
  int index = 0;
  std::string kind;
  std::string codecName;
  std::string codecTag;
  std::vector<uint8_t> extradata;
  int profile = 0;
  int level = 0;
  int width = 0;
  int height = 0;
  std::string pixelFormat;
  int bitDepth = 0;
  AVRational sampleAspectRatio{0, 1};
  int primaries = AVCOL_PRI_UNSPECIFIED;
  int transfer = AVCOL_TRC_UNSPECIFIED;
  int matrix = AVCOL_SPC_UNSPECIFIED;
  int range = AVCOL_RANGE_UNSPECIFIED;
  int chromaLocation = AVCHROMA_LOC_UNSPECIFIED;
  double rotation = 0;
  bool flip = false;
  AVRational frameRate{0, 1};
  int sampleRate = 0;
  int channels = 0;
  AVRational timeBase{1, 1};
  int64_t duration = AV_NOPTS_VALUE;  // microseconds
  int64_t startTime = AV_NOPTS_VALUE;  // microseconds
  int64_t frames = 0;
};

struct FormatInfo {
  std::string name;
  std::string longName;
  int64_t duration = AV_NOPTS_VALUE;  // microseconds
  int64_t bitRate = 0;
  std::vector<StreamInfo> streams;
};

StreamInfo DescribeStream(const AVStream* st) {
  const AVCodecParameters* par = st->codecpar;
  StreamInfo info;
  info.index = st->index;
  info.kind = par->codec_type == AVMEDIA_TYPE_VIDEO ? "video" : "audio";
  info.codecName = avcodec_get_name(par->codec_id);
  info.codecTag = FourCC(par->codec_tag);
  if (par->extradata_size > 0) info.extradata.assign(par->extradata, par->extradata + par->extradata_size);
  info.profile = par->profile;
  info.level = par->level;
  info.timeBase = st->time_base;
  if (st->duration != AV_NOPTS_VALUE) info.duration = ToMicroseconds(st->duration, st->time_base);
  if (st->start_time != AV_NOPTS_VALUE) info.startTime = ToMicroseconds(st->start_time, st->time_base);
  info.frames = st->nb_frames;
  if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
    info.width = par->width;
    info.height = par->height;
    const auto format = static_cast<AVPixelFormat>(par->format);
    if (const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format)) {
      info.pixelFormat = desc->name;
      info.bitDepth = desc->comp[0].depth;
    }
    info.sampleAspectRatio = st->sample_aspect_ratio.num > 0 ? st->sample_aspect_ratio : par->sample_aspect_ratio;
    info.primaries = par->color_primaries;
    info.transfer = par->color_trc;
    info.matrix = par->color_space;
    info.range = par->color_range;
    info.chromaLocation = par->chroma_location;
    info.frameRate = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
    size_t size = 0;
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 29, 100)
    // FFmpeg 6.1 moved stream side data into codecpar (av_stream_get_side_data is gone in 7.0).
    const AVPacketSideData* side =
        av_packet_side_data_get(par->coded_side_data, par->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX);
    const uint8_t* matrix = side != nullptr ? side->data : nullptr;
    if (side != nullptr) size = side->size;
#else
    const uint8_t* matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
#endif
    if (matrix != nullptr && size >= 9 * sizeof(int32_t)) {
      int32_t m[9];
      std::memcpy(m, matrix, sizeof(m));
      // A negative determinant is a mirror image: WebCodecs says flip (horizontal, applied
      // after the rotation); undo it to read the rotation.
      const double det = static_cast<double>(m[0]) * m[4] - static_cast<double>(m[1]) * m[3];
      if (det < 0) {
        info.flip = true;
        av_display_matrix_flip(m, 1, 0);
      }
      const double angle = av_display_rotation_get(m);  // counterclockwise degrees
      if (!std::isnan(angle)) info.rotation = std::fmod(360.0 - std::round(angle / 90.0) * 90.0, 360.0);
    }
  } else {
    info.sampleRate = par->sample_rate;
    info.channels = par->ch_layout.nb_channels;
  }
  return info;
}

Napi::Value StreamToJS(Napi::Env env, const StreamInfo& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", s.index);
  o.Set("kind", s.kind);
  o.Set("codecName", s.codecName);
  o.Set("codecTag", s.codecTag);
  if (!s.extradata.empty()) o.Set("extradata", Napi::Buffer<uint8_t>::Copy(env, s.extradata.data(), s.extradata.size()));
  o.Set("profile", s.profile);
  o.Set("level", s.level);
  o.Set("timeBaseNum", s.timeBase.num);
  o.Set("timeBaseDen", s.timeBase.den);
  if (s.duration != AV_NOPTS_VALUE) o.Set("duration", static_cast<double>(s.duration));
  if (s.startTime != AV_NOPTS_VALUE) o.Set("startTime", static_cast<double>(s.startTime));
  o.Set("frames", static_cast<double>(s.frames));
  if (s.kind == "video") {
    o.Set("width", s.width);
    o.Set("height", s.height);
    o.Set("pixelFormat", s.pixelFormat);
    o.Set("bitDepth", s.bitDepth);
    o.Set("sarNum", s.sampleAspectRatio.num);
    o.Set("sarDen", s.sampleAspectRatio.den);
    o.Set("primaries", s.primaries);
    o.Set("transfer", s.transfer);
    o.Set("matrix", s.matrix);
    o.Set("range", s.range);
    o.Set("chromaLocation", s.chromaLocation);
    o.Set("rotation", s.rotation);
    o.Set("flip", s.flip);
    o.Set("frameRateNum", s.frameRate.num);
    o.Set("frameRateDen", s.frameRate.den);
  } else {
    o.Set("sampleRate", s.sampleRate);
    o.Set("channels", s.channels);
  }
  return o;
}

struct PacketInfo {
  int stream;
  PacketPtr packet;
  int64_t timestamp;
  int64_t duration;  // -1: unknown
  bool key;
};

}  // namespace

// Everything the worker thread owns.
struct DemuxState {
  AVFormatContext* format = nullptr;
  std::shared_ptr<AvioSource> source;  // null when reading a file path
  std::atomic<bool> cancelled{false};
  // Per stream: the next timestamp (stream time base) for packets that carry none (elementary
  // streams such as raw H.264 have no timestamps at all): consecutive, in file order.
  std::vector<int64_t> nextTimestamp;

  ~DemuxState() { CloseInput(); }
  void CloseInput() {
    if (format != nullptr) avformat_close_input(&format);  // custom I/O stays with `source`
  }
  static int Interrupt(void* opaque) { return static_cast<DemuxState*>(opaque)->cancelled.load() ? 1 : 0; }
};

namespace {

AvioWorker::Event ErrorEvent(int err, std::string message) {
  const std::string code = ErrorCode(err);
  return [code, message](Napi::Env env) -> Napi::Value {
    Napi::Object event = Napi::Object::New(env);
    event.Set("type", "error");
    event.Set("code", code);
    event.Set("message", message);
    return event;
  };
}

std::string Describe(int err, const std::shared_ptr<DemuxState>& state) {
  if (err == AVERROR(EIO) && state->source) {
    std::string failure = state->source->failure();
    if (!failure.empty()) return failure;
  }
  return AvErrorString(err);
}

}  // namespace

Napi::Function Demuxer::DefineClass(Napi::Env env) {
  return Napi::ObjectWrap<Demuxer>::DefineClass(env, "Demuxer",
                                                {
                                                    InstanceMethod<&Demuxer::Open>("open"),
                                                    InstanceMethod<&Demuxer::Read>("read"),
                                                    InstanceMethod<&Demuxer::Push>("push"),
                                                    InstanceMethod<&Demuxer::End>("end"),
                                                    InstanceMethod<&Demuxer::Fail>("fail"),
                                                    InstanceMethod<&Demuxer::Close>("close"),
                                                });
}

Demuxer::Demuxer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Demuxer>(info) {
  state_ = std::make_shared<DemuxState>();
  std::shared_ptr<DemuxState> state = state_;
  // The source asks JavaScript for data through the worker, which is created just below; the
  // weak pointer avoids a reference cycle source -> worker -> job -> source.
  auto worker = std::make_shared<std::weak_ptr<AvioWorker>>();
  source_ = std::make_shared<AvioSource>([worker]() {
    if (auto w = worker->lock()) {
      w->Emit([](Napi::Env env) -> Napi::Value {
        Napi::Object event = Napi::Object::New(env);
        event.Set("type", "need-data");
        return event;
      });
    }
  });
  std::shared_ptr<AvioSource> source = source_;
  worker_ = AvioWorker::Start(
      info.Env(), this, "webcodecs-streams:demuxer", 1, [state]() { state->CloseInput(); },
      [state, source]() {
        state->cancelled = true;
        source->Cancel();
      });
  *worker = worker_;
}

Demuxer::~Demuxer() {
  // Collected (only possible while idle): the thread frees the FFmpeg objects and exits.
  worker_->Detach();
  worker_->Close();
}

// open({ path?: string, format?: string }): without a path, bytes come through push().
Napi::Value Demuxer::Open(const Napi::CallbackInfo& info) {
  Napi::Object options = info[0].As<Napi::Object>();
  const bool hasPath = options.Get("path").IsString();
  const std::string path = hasPath ? options.Get("path").As<Napi::String>().Utf8Value() : "";
  const std::string formatName = options.Get("format").IsString() ? options.Get("format").As<Napi::String>().Utf8Value() : "";
  std::shared_ptr<DemuxState> state = state_;
  std::shared_ptr<AvioSource> source = hasPath ? nullptr : source_;
  std::shared_ptr<AvioWorker> worker = worker_;
  AvioWorker* w = worker.get();
  worker_->Post([state, source, path, formatName, w]() {
    state->source = source;
    AVFormatContext* ctx = avformat_alloc_context();
    if (ctx == nullptr) return w->Emit(ErrorEvent(AVERROR(ENOMEM), "out of memory"));
    ctx->interrupt_callback = AVIOInterruptCB{&DemuxState::Interrupt, state.get()};
    AVDictionary* options = nullptr;
    std::string url;
    if (source) {
      try {
        ctx->pb = source->Context();
      } catch (const std::bad_alloc&) {
        avformat_free_context(ctx);
        return w->Emit(ErrorEvent(AVERROR(ENOMEM), "out of memory"));
      }
      ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
    } else {
      // "file:" and a whitelist: a path that looks like a URL or a playlist never reaches the network.
      url = "file:" + path;
      av_dict_set(&options, "protocol_whitelist", "file", 0);
    }
    const AVInputFormat* input = nullptr;
    if (!formatName.empty()) {
      input = av_find_input_format(formatName.c_str());
      if (input == nullptr) {
        av_dict_free(&options);
        avformat_free_context(ctx);
        return w->Emit(ErrorEvent(AVERROR_DEMUXER_NOT_FOUND, "FFmpeg has no demuxer named \"" + formatName + "\""));
      }
    }
    int err = avformat_open_input(&ctx, url.c_str(), input, &options);  // frees ctx on failure
    av_dict_free(&options);
    if (err < 0) return w->Emit(ErrorEvent(err, Describe(err, state)));
    state->format = ctx;
    err = avformat_find_stream_info(ctx, nullptr);
    if (err < 0) return w->Emit(ErrorEvent(err, Describe(err, state)));

    auto info = std::make_shared<FormatInfo>();
    info->name = ctx->iformat->name;
    info->longName = ctx->iformat->long_name != nullptr ? ctx->iformat->long_name : "";
    if (ctx->duration != AV_NOPTS_VALUE) info->duration = ctx->duration;  // AV_TIME_BASE is microseconds
    info->bitRate = ctx->bit_rate;
    state->nextTimestamp.assign(ctx->nb_streams, 0);
    for (unsigned i = 0; i < ctx->nb_streams; i++) {
      AVStream* st = ctx->streams[i];
      const AVMediaType type = st->codecpar->codec_type;
      const bool media = (type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO) &&
                         (st->disposition & AV_DISPOSITION_ATTACHED_PIC) == 0;
      if (!media) {
        st->discard = AVDISCARD_ALL;  // subtitles, data, cover art: not read at all
        continue;
      }
      info->streams.push_back(DescribeStream(st));
    }
    w->Emit([info](Napi::Env env) -> Napi::Value {
      Napi::Object event = Napi::Object::New(env);
      event.Set("type", "opened");
      Napi::Object format = Napi::Object::New(env);
      format.Set("name", info->name);
      format.Set("longName", info->longName);
      if (info->duration != AV_NOPTS_VALUE) format.Set("duration", static_cast<double>(info->duration));
      format.Set("bitRate", static_cast<double>(info->bitRate));
      event.Set("format", format);
      Napi::Array streams = Napi::Array::New(env, info->streams.size());
      for (size_t i = 0; i < info->streams.size(); i++) streams.Set(static_cast<uint32_t>(i), StreamToJS(env, info->streams[i]));
      event.Set("streams", streams);
      return event;
    });
  });
  return info.Env().Undefined();
}

// read(maxPackets, maxBytes): one batch, in file order; `end` once the input is exhausted.
Napi::Value Demuxer::Read(const Napi::CallbackInfo& info) {
  const uint32_t maxPackets = std::max<uint32_t>(1, info[0].As<Napi::Number>().Uint32Value());
  const int64_t maxBytes = info[1].As<Napi::Number>().Int64Value();
  std::shared_ptr<DemuxState> state = state_;
  AvioWorker* w = worker_.get();
  worker_->Post([state, maxPackets, maxBytes, w]() {
    AVFormatContext* ctx = state->format;
    if (ctx == nullptr) return w->Emit(ErrorEvent(AVERROR(EINVAL), "the demuxer is not open"));
    auto batch = std::make_shared<std::vector<PacketInfo>>();
    int64_t bytes = 0;
    bool end = false;
    while (batch->size() < maxPackets && bytes < maxBytes) {
      PacketPtr packet = MakePacket();
      const int err = av_read_frame(ctx, packet.get());
      if (err == AVERROR_EOF) {
        // libavformat may report a failed read of the source stream as the end of the input.
        const std::string failure = state->source ? state->source->failure() : "";
        if (!failure.empty()) return w->Emit(ErrorEvent(AVERROR(EIO), failure));
        end = true;
        break;
      }
      if (err < 0) {
        const int64_t offset = ctx->pb != nullptr ? avio_tell(ctx->pb) : -1;
        return w->Emit(ErrorEvent(err, "reading failed near byte " + std::to_string(offset) + ": " + Describe(err, state)));
      }
      AVStream* st = ctx->streams[packet->stream_index];
      if (st->discard == AVDISCARD_ALL) continue;
      int64_t& next = state->nextTimestamp[packet->stream_index];
      int64_t ts = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
      // A damaged file can carry any 64-bit value here; one that does not fit a JavaScript
      // timestamp (2^53 microseconds) is treated like a missing one.
      constexpr int64_t kMaxMicros = (int64_t{1} << 53) - 1;
      const auto fits = [](int64_t micros) { return micros >= -kMaxMicros && micros <= kMaxMicros; };
      if (ts == AV_NOPTS_VALUE || !fits(ToMicroseconds(ts, st->time_base))) ts = next;
      if (ts == AV_NOPTS_VALUE || !fits(ToMicroseconds(ts, st->time_base))) ts = 0;
      const int64_t duration = packet->duration > 0 && fits(ToMicroseconds(packet->duration, st->time_base)) ? packet->duration : 0;
      next = ts + duration;
      PacketInfo p;
      p.stream = packet->stream_index;
      p.timestamp = ToMicroseconds(ts, st->time_base);
      p.duration = duration > 0 ? ToMicroseconds(duration, st->time_base) : -1;
      p.key = (packet->flags & AV_PKT_FLAG_KEY) != 0;
      bytes += packet->size;
      p.packet = std::move(packet);
      batch->push_back(std::move(p));
    }
    w->Emit([batch, end](Napi::Env env) -> Napi::Value {
      Napi::Object event = Napi::Object::New(env);
      event.Set("type", "packets");
      Napi::Array packets = Napi::Array::New(env, batch->size());
      for (size_t i = 0; i < batch->size(); i++) {
        PacketInfo& p = (*batch)[i];
        Napi::Object o = Napi::Object::New(env);
        o.Set("stream", p.stream);
        o.Set("data", Napi::Buffer<uint8_t>::Copy(env, p.packet->data, p.packet->size));
        o.Set("timestamp", static_cast<double>(p.timestamp));
        if (p.duration >= 0) o.Set("duration", static_cast<double>(p.duration));
        o.Set("key", p.key);
        packets.Set(static_cast<uint32_t>(i), o);
      }
      event.Set("packets", packets);
      event.Set("end", end);
      return event;
    });
  });
  return info.Env().Undefined();
}

// push(bytes): the next chunk of the source stream, after a 'need-data' event.
Napi::Value Demuxer::Push(const Napi::CallbackInfo& info) {
  Napi::TypedArray view = info[0].As<Napi::TypedArray>();
  const uint8_t* data = static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
  source_->Push(data, view.ByteLength());
  return info.Env().Undefined();
}

Napi::Value Demuxer::End(const Napi::CallbackInfo& info) {
  source_->End();
  return info.Env().Undefined();
}

Napi::Value Demuxer::Fail(const Napi::CallbackInfo& info) {
  source_->Fail(info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "");
  return info.Env().Undefined();
}

Napi::Value Demuxer::Close(const Napi::CallbackInfo& info) {
  worker_->Close();
  return info.Env().Undefined();
}

}  // namespace wcs
