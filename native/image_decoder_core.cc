// ImageDecoder's codec core (see image_decoder_core.h for the command protocol). Runs on the
// codec's worker thread only.
//
// Containers are read in two ways. A small walker per format reads the structure of the bytes
// received so far (where each frame ends, whether it is animated, the loop count), because
// libavformat cannot say whether a frame at the end of a growing buffer is whole. The frames
// themselves are then cut by FFmpeg: still images are one packet (the whole file) for the image
// decoder; animated GIF and APNG are demuxed by libavformat from a prefix that holds exactly the
// complete frames, closed with the format's trailer; AVIF needs its whole file (the item
// locations may point anywhere) and is demuxed by the mov demuxer once all bytes are there.
#include "image_decoder_core.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "native_frame.h"
#include "pixel_format.h"

namespace wcs {
namespace {

using Bytes = std::vector<uint8_t>;

enum class ImageKind { Png, Jpeg, Gif, Webp, Avif, Bmp };

struct TypeEntry {
  const char* type;
  ImageKind kind;
};

// The MIME types this core decodes. JavaScript keeps the same list (src/codecs/image-decoder.ts).
const TypeEntry kTypes[] = {
    {"image/png", ImageKind::Png},   {"image/apng", ImageKind::Png}, {"image/jpeg", ImageKind::Jpeg},
    {"image/gif", ImageKind::Gif},   {"image/webp", ImageKind::Webp}, {"image/avif", ImageKind::Avif},
    {"image/bmp", ImageKind::Bmp},
};

[[noreturn]] void Malformed(const std::string& what) { ThrowCodecError("EncodingError", what); }

uint32_t Be32(const Bytes& d, size_t at) {
  return (uint32_t{d[at]} << 24) | (uint32_t{d[at + 1]} << 16) | (uint32_t{d[at + 2]} << 8) | d[at + 3];
}
uint32_t Le32(const Bytes& d, size_t at) {
  return d[at] | (uint32_t{d[at + 1]} << 8) | (uint32_t{d[at + 2]} << 16) | (uint32_t{d[at + 3]} << 24);
}
uint32_t Tag(const char* s) { return (uint32_t(uint8_t(s[0])) << 24) | (uint32_t(uint8_t(s[1])) << 16) | (uint32_t(uint8_t(s[2])) << 8) | uint8_t(s[3]); }

// True when the first bytes of `d` (however many have arrived) agree with `expected`.
bool PrefixMatches(const Bytes& d, const char* expected, size_t length, size_t offset = 0) {
  for (size_t i = 0; i < length && offset + i < d.size(); i++) {
    if (d[offset + i] != static_cast<uint8_t>(expected[i])) return false;
  }
  return true;
}

// What the bytes received so far say about the one track an image file holds.
struct Layout {
  bool established = false;  // enough bytes to describe the track (spec "Establish Tracks")
  bool animated = false;
  bool sequence = false;      // frames are demuxed (GIF, APNG, AVIF) rather than one still packet
  double repetitionCount = 0;
  uint32_t frameCount = 0;      // frames the data announces or has begun
  uint32_t completeFrames = 0;  // frames whose bytes have all arrived
  size_t completeEnd = 0;       // length of the prefix holding exactly those frames
};

// --- walkers: one per format, over the bytes received so far -----------------------------------

Layout WalkPng(const Bytes& d) {
  static const char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (!PrefixMatches(d, kSignature, 8)) Malformed("the data is not a PNG file (wrong signature)");
  Layout layout;
  size_t pos = 8;
  bool first = true;
  bool sawImageData = false;
  bool apng = false;
  bool frameOpen = false;
  uint32_t announcedFrames = 0;
  while (pos + 8 <= d.size()) {
    const uint32_t length = Be32(d, pos);
    if (length > 0x7fffffff) Malformed("a PNG chunk has an impossible length");
    const uint32_t type = Be32(d, pos + 4);
    const size_t end = pos + 12 + length;
    if (end > d.size()) break;  // the chunk has not fully arrived
    if (first && type != Tag("IHDR")) Malformed("the PNG file does not start with an IHDR chunk");
    first = false;
    if (type == Tag("acTL") && !sawImageData && length >= 8) {
      apng = true;
      announcedFrames = Be32(d, pos + 8);
      const uint32_t plays = Be32(d, pos + 12);
      layout.repetitionCount = plays == 0 ? std::numeric_limits<double>::infinity() : plays - 1.0;
    } else if (type == Tag("fcTL") && apng) {
      // A frame's data ends where the next frame control chunk (or IEND) begins.
      if (frameOpen) {
        layout.completeFrames++;
        layout.completeEnd = pos;
      }
      frameOpen = true;
      layout.frameCount++;
    } else if (type == Tag("IDAT")) {
      sawImageData = true;
    } else if (type == Tag("IEND")) {
      if (apng && frameOpen) {
        layout.completeFrames++;
        layout.completeEnd = pos;
      } else if (!apng) {
        layout.completeFrames = 1;
        layout.completeEnd = end;
      }
      break;
    }
    pos = end;
  }
  if (apng) {
    layout.established = true;
    layout.sequence = true;
    layout.animated = announcedFrames > 1;
    layout.frameCount = std::max(layout.frameCount, announcedFrames);
  } else {
    layout.established = sawImageData || layout.completeFrames == 1;
    layout.frameCount = 1;
  }
  return layout;
}

Layout WalkJpeg(const Bytes& d) {
  if (!PrefixMatches(d, "\xff\xd8", 2)) Malformed("the data is not a JPEG file (no start-of-image marker)");
  Layout layout;
  layout.established = d.size() >= 2;
  layout.frameCount = 1;
  size_t pos = 2;
  while (pos + 2 <= d.size()) {
    if (d[pos] != 0xff) Malformed("the JPEG data has bytes between segments where a marker belongs");
    const uint8_t marker = d[pos + 1];
    if (marker == 0xff) {  // fill byte
      pos++;
      continue;
    }
    if (marker == 0xd9) {  // end of image
      layout.completeFrames = 1;
      layout.completeEnd = pos + 2;
      break;
    }
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {  // markers without a length
      pos += 2;
      continue;
    }
    if (pos + 4 > d.size()) break;
    const size_t length = (size_t{d[pos + 2]} << 8) | d[pos + 3];
    if (length < 2) Malformed("a JPEG segment has an impossible length");
    size_t next = pos + 2 + length;
    if (next > d.size()) break;
    if (marker == 0xda) {
      // Entropy-coded data follows the scan header, up to the next marker that is neither a
      // stuffed 0xff00 nor a restart marker.
      const uint8_t* base = d.data();
      size_t scan = next;
      bool found = false;
      while (scan + 1 < d.size()) {
        const void* hit = std::memchr(base + scan, 0xff, d.size() - scan - 1);
        if (hit == nullptr) break;
        scan = static_cast<size_t>(static_cast<const uint8_t*>(hit) - base);
        const uint8_t following = d[scan + 1];
        if (following != 0x00 && !(following >= 0xd0 && following <= 0xd7)) {
          found = true;
          break;
        }
        scan += 2;
      }
      if (!found) break;
      next = scan;
    }
    pos = next;
  }
  return layout;
}

Layout WalkGif(const Bytes& d) {
  if (!PrefixMatches(d, "GIF8", 4) || (d.size() > 4 && d[4] != '7' && d[4] != '9') || !PrefixMatches(d, "a", 1, 5)) {
    Malformed("the data is not a GIF file (wrong signature)");
  }
  Layout layout;
  layout.sequence = true;
  if (d.size() < 13) return layout;
  size_t pos = 13;
  if (d[10] & 0x80) pos += 3u << ((d[10] & 0x07) + 1);  // global color table
  bool loops = false;
  bool ended = false;
  // Skips data sub-blocks starting at `at`; the offset after the terminator, or 0 if incomplete.
  auto skipSubBlocks = [&](size_t at) -> size_t {
    while (at < d.size()) {
      const size_t size = d[at];
      if (size == 0) return at + 1;
      at += 1 + size;
    }
    return 0;
  };
  while (pos < d.size()) {
    const uint8_t block = d[pos];
    if (block == 0x21) {  // extension
      if (pos + 2 > d.size()) break;
      const uint8_t label = d[pos + 1];
      const size_t end = skipSubBlocks(pos + 2);
      if (end == 0) break;
      // NETSCAPE2.0 (or ANIMEXTS1.0) application extension: sub-block {1, loop count (LE16)}.
      if (label == 0xff && d[pos + 2] == 11 && pos + 3 + 11 + 4 <= end &&
          (std::memcmp(&d[pos + 3], "NETSCAPE2.0", 11) == 0 || std::memcmp(&d[pos + 3], "ANIMEXTS1.0", 11) == 0) &&
          d[pos + 14] >= 3 && d[pos + 15] == 1) {
        const uint32_t count = d[pos + 16] | (uint32_t{d[pos + 17]} << 8);
        loops = true;
        layout.repetitionCount = count == 0 ? std::numeric_limits<double>::infinity() : count;
      }
      pos = end;
    } else if (block == 0x2c) {  // image descriptor
      layout.frameCount++;
      if (pos + 10 > d.size()) break;
      size_t at = pos + 10;
      if (d[pos + 9] & 0x80) at += 3u << ((d[pos + 9] & 0x07) + 1);  // local color table
      at++;                                                              // LZW minimum code size
      const size_t end = at <= d.size() ? skipSubBlocks(at) : 0;
      if (end == 0) break;
      layout.completeFrames++;
      layout.completeEnd = end;
      pos = end;
    } else {
      // The trailer, or bytes that are not a block: decoders (browsers, FFmpeg) stop at either
      // once they have an image, so trailing garbage only ends the file.
      if (block != 0x3b && layout.frameCount == 0) Malformed("the GIF data has an unknown block type before any image");
      ended = true;
      break;
    }
  }
  layout.animated = loops || layout.frameCount > 1;
  // One image could be the first of many: wait for a second one, the end, or a loop extension.
  layout.established = ended || layout.frameCount > 1 || (loops && layout.frameCount == 1);
  return layout;
}

Layout WalkWebp(const Bytes& d) {
  if (!PrefixMatches(d, "RIFF", 4) || !PrefixMatches(d, "WEBP", 4, 8)) Malformed("the data is not a WebP file (no RIFF/WEBP header)");
  Layout layout;
  layout.frameCount = 1;
  if (d.size() < 16) return layout;
  if (PrefixMatches(d, "VP8X", 4, 12)) {
    if (d.size() < 21) return layout;
    if (d[20] & 0x02) {
      ThrowCodecError("NotSupportedError",
                      "animated WebP cannot be decoded: FFmpeg's WebP decoder (libavcodec 59) reads still images only");
    }
  }
  layout.established = true;
  const size_t end = size_t{8} + Le32(d, 4);
  if (d.size() >= end) {
    layout.completeFrames = 1;
    layout.completeEnd = end;
  }
  return layout;
}

Layout WalkBmp(const Bytes& d) {
  if (!PrefixMatches(d, "BM", 2)) Malformed("the data is not a BMP file (no BM signature)");
  Layout layout;
  layout.frameCount = 1;
  if (d.size() < 6) return layout;
  layout.established = true;
  const size_t end = Le32(d, 2);  // bfSize: some writers leave it 0; then only the end of data tells
  if (end >= 26 && d.size() >= end) {
    layout.completeFrames = 1;
    layout.completeEnd = end;
  }
  return layout;
}

// --- libavformat over memory ---------------------------------------------------------------------

struct MemoryReader {
  const Bytes* bytes;
  int64_t pos = 0;

  static int Read(void* opaque, uint8_t* buf, int size) {
    auto* self = static_cast<MemoryReader*>(opaque);
    const int64_t left = static_cast<int64_t>(self->bytes->size()) - self->pos;
    if (left <= 0) return AVERROR_EOF;
    const int n = static_cast<int>(std::min<int64_t>(left, size));
    std::memcpy(buf, self->bytes->data() + self->pos, n);
    self->pos += n;
    return n;
  }
  static int64_t Seek(void* opaque, int64_t offset, int whence) {
    auto* self = static_cast<MemoryReader*>(opaque);
    const int64_t size = static_cast<int64_t>(self->bytes->size());
    switch (whence & ~AVSEEK_FORCE) {
      case AVSEEK_SIZE: return size;
      case SEEK_SET: break;
      case SEEK_CUR: offset += self->pos; break;
      case SEEK_END: offset += size; break;
      default: return AVERROR(EINVAL);
    }
    if (offset < 0 || offset > size) return AVERROR(EINVAL);
    self->pos = offset;
    return offset;
  }
};

struct IoContextDeleter {
  void operator()(AVIOContext* io) const {
    av_freep(&io->buffer);
    avio_context_free(&io);
  }
};
struct FormatContextDeleter {
  void operator()(AVFormatContext* ctx) const { avformat_close_input(&ctx); }
};
struct CodecParametersDeleter {
  void operator()(AVCodecParameters* par) const { avcodec_parameters_free(&par); }
};
using CodecParametersPtr = std::unique_ptr<AVCodecParameters, CodecParametersDeleter>;

struct EncodedFrame {
  PacketPtr packet;
  int64_t timestamp = 0;  // microseconds
  std::optional<int64_t> duration;
  bool key = false;
};

struct Demuxed {
  CodecParametersPtr parameters;
  std::vector<EncodedFrame> frames;
};

// Demuxes a whole in-memory file with the named demuxer; malformed data is an EncodingError.
Demuxed DemuxFile(const char* format, const Bytes& bytes) {
  const AVInputFormat* input = av_find_input_format(format);
  if (input == nullptr) ThrowCodecError("NotSupportedError", std::string("this FFmpeg build has no ") + format + " demuxer");
  MemoryReader reader{&bytes};
  constexpr int kBufferSize = 16 * 1024;
  auto* buffer = static_cast<uint8_t*>(av_malloc(kBufferSize));
  if (buffer == nullptr) throw std::bad_alloc();
  std::unique_ptr<AVIOContext, IoContextDeleter> io(
      avio_alloc_context(buffer, kBufferSize, 0, &reader, &MemoryReader::Read, nullptr, &MemoryReader::Seek));
  if (!io) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) throw std::bad_alloc();
  raw->pb = io.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  int err = avformat_open_input(&raw, nullptr, input, nullptr);  // frees `raw` on failure
  if (err < 0) Malformed("the image container could not be read (" + AvErrorString(err) + ")");
  std::unique_ptr<AVFormatContext, FormatContextDeleter> ctx(raw);
  const int stream = av_find_best_stream(ctx.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream < 0) Malformed("the image container holds no image");
  const AVRational timeBase = ctx->streams[stream]->time_base;
  Demuxed result;
  result.parameters.reset(avcodec_parameters_alloc());
  if (!result.parameters) throw std::bad_alloc();
  avcodec_parameters_copy(result.parameters.get(), ctx->streams[stream]->codecpar);
  int64_t next = 0;
  for (;;) {
    PacketPtr packet = MakePacket();
    err = av_read_frame(ctx.get(), packet.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) Malformed("the image container could not be read (" + AvErrorString(err) + ")");
    if (packet->stream_index != stream) continue;
    EncodedFrame frame;
    const int64_t pts = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
    frame.timestamp = pts != AV_NOPTS_VALUE ? av_rescale_q(pts, timeBase, AVRational{1, 1000000}) : next;
    if (packet->duration > 0) frame.duration = av_rescale_q(packet->duration, timeBase, AVRational{1, 1000000});
    next = frame.timestamp + frame.duration.value_or(0);
    frame.key = (packet->flags & AV_PKT_FLAG_KEY) != 0;
    frame.packet = std::move(packet);
    result.frames.push_back(std::move(frame));
  }
  return result;
}

// --- decoded frames in WebCodecs pixel formats ------------------------------------------------

bool IsYuvFamily(AVPixelFormat format) {
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
  return desc != nullptr && !(desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) && desc->nb_components >= 3;
}

// EXIF orientation (1..8), as FFmpeg's JPEG decoder exports it, as WebCodecs rotation (clockwise,
// applied first) and horizontal flip (applied after).
void OrientationOf(const AVFrame* frame, int& rotation, bool& flip) {
  rotation = 0;
  flip = false;
  const AVDictionaryEntry* entry = av_dict_get(frame->metadata, "Orientation", nullptr, 0);
  if (entry == nullptr) return;
  switch (std::atoi(entry->value)) {
    case 2: flip = true; break;
    case 3: rotation = 180; break;
    case 4: rotation = 180; flip = true; break;
    case 5: rotation = 90; flip = true; break;
    case 6: rotation = 90; break;
    case 7: rotation = 270; flip = true; break;
    case 8: rotation = 270; break;
    default: break;
  }
}

class ImageOutput : public CodecOutput {
 public:
  enum class Kind { Tracks, FrameCount, Image, Rejected };
  explicit ImageOutput(Kind kind) : kind_(kind) {}

  bool animated = false;
  uint32_t frameCount = 0;
  double repetitionCount = 0;
  FramePtr frame;
  int64_t timestamp = 0;
  std::optional<int64_t> duration;
  int rotation = 0;
  bool flip = false;
  std::string message;

  Napi::Value ToJS(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    switch (kind_) {
      case Kind::Tracks:
        out.Set("kind", "tracks");
        out.Set("animated", animated);
        out.Set("frameCount", frameCount);
        out.Set("repetitionCount", repetitionCount);
        break;
      case Kind::FrameCount:
        out.Set("kind", "frameCount");
        out.Set("frameCount", frameCount);
        break;
      case Kind::Image:
        out.Set("kind", "image");
        out.Set("frame", NativeFrame::Wrap(env, std::move(frame)));
        out.Set("timestamp", static_cast<double>(timestamp));
        if (duration) out.Set("duration", static_cast<double>(*duration));
        out.Set("rotation", rotation);
        out.Set("flip", flip);
        break;
      case Kind::Rejected:
        out.Set("kind", "rejected");
        out.Set("message", message);
        break;
    }
    return out;
  }

 private:
  Kind kind_;
};

class ImageDecoderCore : public CodecCore {
 public:
  void Configure(const ConfigMap& config, const OutputSink&) override {
    const std::string type = config.String("type");
    const TypeEntry* entry = nullptr;
    for (const TypeEntry& e : kTypes) {
      if (type == e.type) entry = &e;
    }
    if (entry == nullptr) ThrowCodecError("NotSupportedError", "ImageDecoder cannot decode " + type);
    kind_ = entry->kind;
    // Check Type Support: the decoders and demuxers this type needs must be in this FFmpeg build.
    switch (kind_) {
      case ImageKind::Png: RequireDecoder("png"); RequireDecoder("apng"); RequireDemuxer("apng"); break;
      case ImageKind::Jpeg: RequireDecoder("mjpeg"); break;
      case ImageKind::Gif: RequireDecoder("gif"); RequireDemuxer("gif"); break;
      case ImageKind::Webp: RequireDecoder("webp"); break;
      case ImageKind::Bmp: RequireDecoder("bmp"); break;
      case ImageKind::Avif:
        RequireDemuxer("mov");
        if (Av1Decoder() == nullptr) ThrowCodecError("NotSupportedError", "this FFmpeg build has no software AV1 decoder (libdav1d or libaom-av1)");
        break;
    }
    desiredWidth_ = static_cast<int>(config.Int("desiredWidth", 0));
    desiredHeight_ = static_cast<int>(config.Int("desiredHeight", 0));
  }

  void Send(CodecInput& input, const OutputSink& out) override {
    switch (static_cast<ImageCommand>(input.timestamp)) {
      case ImageCommand::Data:
        data_.insert(data_.end(), input.packet->data, input.packet->data + input.packet->size);
        dataChanged_ = true;
        break;
      case ImageCommand::End:
        complete_ = true;
        dataChanged_ = true;
        break;
      case ImageCommand::Decode:
        requests_.push_back(static_cast<uint32_t>(input.duration.value_or(0)));
        break;
      case ImageCommand::SelectTrack:
        selectedTrack_ = input.duration.value_or(-1);
        break;
      case ImageCommand::Abort:
        requests_.clear();
        break;
    }
    Update(out);
  }

  // ImageDecoder has no flush().
  void Drain(const OutputSink&) override {}

 private:
  static void RequireDecoder(const char* name) {
    if (avcodec_find_decoder_by_name(name) == nullptr) ThrowCodecError("NotSupportedError", std::string("this FFmpeg build has no ") + name + " decoder");
  }
  static void RequireDemuxer(const char* name) {
    if (av_find_input_format(name) == nullptr) ThrowCodecError("NotSupportedError", std::string("this FFmpeg build has no ") + name + " demuxer");
  }
  // The native "av1" decoder of libavcodec 59 only drives hardware; images need a software one.
  static const AVCodec* Av1Decoder() {
    const AVCodec* codec = avcodec_find_decoder_by_name("libdav1d");
    return codec != nullptr ? codec : avcodec_find_decoder_by_name("libaom-av1");
  }

  Layout Walk() {
    switch (kind_) {
      case ImageKind::Png: return WalkPng(data_);
      case ImageKind::Jpeg: return WalkJpeg(data_);
      case ImageKind::Gif: return WalkGif(data_);
      case ImageKind::Webp: return WalkWebp(data_);
      case ImageKind::Bmp: return WalkBmp(data_);
      case ImageKind::Avif: return WalkAvif();
    }
    return Layout{};
  }

  // AVIF item locations can point anywhere in the file, so nothing is known before the end.
  Layout WalkAvif() {
    if (!PrefixMatches(data_, "ftyp", 4, 4)) Malformed("the data is not an AVIF file (no ftyp box)");
    Layout layout;
    layout.sequence = true;
    if (!complete_) return layout;
    LoadFrames("mov", data_);
    layout.established = true;
    layout.frameCount = static_cast<uint32_t>(frames_.size());
    layout.completeFrames = layout.frameCount;
    layout.completeEnd = data_.size();
    layout.animated = layout.frameCount > 1;
    return layout;
  }

  void LoadFrames(const char* format, const Bytes& bytes) {
    Demuxed demuxed = DemuxFile(format, bytes);
    parameters_ = std::move(demuxed.parameters);
    frames_ = std::move(demuxed.frames);
  }

  void Update(const OutputSink& out) {
    // Walking the bytes again only matters while it can change something: before the track is
    // known, for animations (frames keep arriving), and while a decode waits for bytes.
    if (dataChanged_ && (!established_ || layout_.sequence || !requests_.empty())) {
      layout_ = Walk();
      dataChanged_ = false;
    }
    if (!established_) {
      if (!layout_.established) {
        // Spec "Establish Tracks": all data arrived and still no track to describe.
        if (complete_) ThrowCodecError("InvalidStateError", "the image data ended before its header was complete");
        return;
      }
      established_ = true;
      reportedFrameCount_ = layout_.frameCount;
      auto tracks = std::make_unique<ImageOutput>(ImageOutput::Kind::Tracks);
      tracks->animated = layout_.animated;
      tracks->frameCount = layout_.frameCount;
      tracks->repetitionCount = layout_.repetitionCount;
      out(std::move(tracks));
    } else if (layout_.frameCount > reportedFrameCount_) {  // spec "Update Tracks"
      reportedFrameCount_ = layout_.frameCount;
      auto update = std::make_unique<ImageOutput>(ImageOutput::Kind::FrameCount);
      update->frameCount = layout_.frameCount;
      out(std::move(update));
    }
    if (selectedTrack_ != 0) return;  // JavaScript rejects decodes while no track is selected
    while (!requests_.empty()) {
      const uint32_t index = requests_.front();
      // A still image whose end cannot be recognised (a BMP without its size) is whole at the end.
      const uint32_t available = complete_ && !layout_.sequence ? 1 : layout_.completeFrames;
      if (index < available) {
        out(DecodeFrame(index));
      } else if (!complete_) {
        return;  // wait for more bytes (spec "Decode Complete Frame" step 4)
      } else if (index >= reportedFrameCount_) {
        auto rejected = std::make_unique<ImageOutput>(ImageOutput::Kind::Rejected);
        rejected->message = "ImageDecoder.decode(): frameIndex " + std::to_string(index) + " is past the last frame (the track has " +
                            std::to_string(reportedFrameCount_) + " frames)";
        out(std::move(rejected));
      } else {
        Malformed("the image data ends in the middle of frame " + std::to_string(index) + " (the file is truncated)");
      }
      requests_.pop_front();
    }
  }

  std::unique_ptr<ImageOutput> DecodeFrame(uint32_t index) {
    if (cachedIndex_ != index || !cached_) {
      FramePtr decoded = layout_.sequence ? DecodeSequenceFrame(index) : DecodeStill();
      cached_ = ToWebCodecs(std::move(decoded));
      cachedIndex_ = index;
    }
    auto output = std::make_unique<ImageOutput>(ImageOutput::Kind::Image);
    output->frame = RefFrame(cached_.get());  // a new reference: the cache and the VideoFrame share pixels
    if (layout_.sequence && layout_.animated) {
      output->timestamp = frames_[index].timestamp;
      output->duration = frames_[index].duration;
    }
    OrientationOf(cached_.get(), output->rotation, output->flip);
    return output;
  }

  FramePtr DecodeStill() {
    const AVCodec* codec = nullptr;
    switch (kind_) {
      case ImageKind::Png: codec = avcodec_find_decoder_by_name("png"); break;
      case ImageKind::Jpeg: codec = avcodec_find_decoder_by_name("mjpeg"); break;
      case ImageKind::Webp: codec = avcodec_find_decoder_by_name("webp"); break;
      case ImageKind::Bmp: codec = avcodec_find_decoder_by_name("bmp"); break;
      case ImageKind::Gif:
      case ImageKind::Avif: break;
    }
    OpenDecoder(codec, nullptr);
    const size_t size = layout_.completeFrames == 1 ? layout_.completeEnd : data_.size();
    PacketPtr packet = MakePacket();
    if (av_new_packet(packet.get(), static_cast<int>(size)) < 0) throw std::bad_alloc();
    std::memcpy(packet->data, data_.data(), size);
    packet->flags |= AV_PKT_FLAG_KEY;
    FramePtr frame = DecodePackets({packet.get()}, 0);
    decoder_.reset();
    return frame;
  }

  // Frames of GIF, APNG and AVIF depend on the ones before them (GIF and APNG draw over the
  // previous canvas), so frame k is decoded by running the decoder from the last key frame at or
  // before k; going forward continues where the previous decode stopped.
  FramePtr DecodeSequenceFrame(uint32_t index) {
    if (index >= frames_.size()) {
      // Frames arrived since the last demux: cut the prefix holding every complete frame.
      Bytes prefix(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(layout_.completeEnd));
      if (kind_ == ImageKind::Gif) {
        prefix.push_back(0x3b);  // trailer
        LoadFrames("gif", prefix);
      } else {
        static const uint8_t kIend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
        prefix.insert(prefix.end(), kIend, kIend + 12);
        LoadFrames("apng", prefix);
      }
      // The frames demuxed before are the same bytes, so a running decoder carries on.
      if (index >= frames_.size()) Malformed("the image container holds fewer frames than its structure announces");
    }
    // GIF and APNG mark only frames that cover the whole canvas as key; a frame that disposes to
    // the background still draws over the previous one, so those restart from the first frame.
    uint32_t start = 0;
    if (kind_ == ImageKind::Avif) {
      for (uint32_t i = index; i > 0; i--) {
        if (frames_[i].key) {
          start = i;
          break;
        }
      }
    }
    if (!decoder_ || nextFrame_ > index || nextFrame_ < start) {
      const AVCodec* codec = kind_ == ImageKind::Avif ? Av1Decoder() : avcodec_find_decoder(parameters_->codec_id);
      OpenDecoder(codec, parameters_.get());
      nextFrame_ = start;
    }
    std::vector<AVPacket*> packets;
    for (uint32_t i = nextFrame_; i <= index; i++) packets.push_back(frames_[i].packet.get());
    const uint32_t first = nextFrame_;
    nextFrame_ = index + 1;
    return DecodePackets(packets, index - first);
  }

  void OpenDecoder(const AVCodec* codec, const AVCodecParameters* parameters) {
    if (codec == nullptr) ThrowCodecError("NotSupportedError", "no decoder for this image in this FFmpeg build");
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw std::bad_alloc();
    if (parameters != nullptr && avcodec_parameters_to_context(ctx.get(), parameters) < 0) throw std::bad_alloc();
    // One thread: frame threading would hold frames back, and images are decoded one at a time.
    ctx->thread_count = 1;
    const int err = avcodec_open2(ctx.get(), codec, nullptr);
    if (err < 0) Malformed("the image decoder could not be opened for this data (" + AvErrorString(err) + ")");
    decoder_ = std::move(ctx);
  }

  // Sends `packets` and returns the frame decoded from packets[wanted] (every decoder here makes
  // one frame per packet). The decoder is drained, and so closed, if it holds that frame back.
  FramePtr DecodePackets(const std::vector<AVPacket*>& packets, size_t wanted) {
    size_t received = 0;
    FramePtr result;
    auto receive = [&]() {
      for (;;) {
        FramePtr frame = MakeFrame();
        const int err = avcodec_receive_frame(decoder_.get(), frame.get());
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
        if (err < 0) Malformed("the image could not be decoded (" + AvErrorString(err) + "); the data is corrupt");
        if (received++ == wanted) result = std::move(frame);
      }
    };
    for (AVPacket* packet : packets) {
      for (;;) {
        const int err = avcodec_send_packet(decoder_.get(), packet);
        if (err == AVERROR(EAGAIN)) {
          receive();
          continue;
        }
        if (err < 0) Malformed("the image could not be decoded (" + AvErrorString(err) + "); the data is corrupt");
        break;
      }
      receive();
    }
    if (!result) {
      avcodec_send_packet(decoder_.get(), nullptr);
      receive();
      decoder_.reset();
    }
    if (!result) Malformed("the image decoder produced no picture; the data is corrupt");
    return result;
  }

  // Decoders output formats WebCodecs has no name for (pal8, rgb24, gray, 16-bit RGB, argb,
  // yuvj420p, ...); convert those, and scale to desiredWidth x desiredHeight when asked.
  FramePtr ToWebCodecs(FramePtr frame) {
    AVPixelFormat format = static_cast<AVPixelFormat>(frame->format);
    // The JPEG-range formats have I420/I422/I444's layout: relabel, do not convert.
    switch (format) {
      case AV_PIX_FMT_YUVJ420P: format = AV_PIX_FMT_YUV420P; break;
      case AV_PIX_FMT_YUVJ422P: format = AV_PIX_FMT_YUV422P; break;
      case AV_PIX_FMT_YUVJ444P: format = AV_PIX_FMT_YUV444P; break;
      default: break;
    }
    if (format != frame->format) {
      frame->format = format;
      frame->color_range = AVCOL_RANGE_JPEG;
    }
    AVPixelFormat target = format;
    if (PixelFormatName(format).empty()) {
      // RGB, palette and gray images become RGBA (WebCodecs has no 16-bit RGB or gray formats);
      // other YUV layouts become the nearest I4xx.
      target = IsYuvFamily(format) ? NearestNamedPixelFormat(format) : AV_PIX_FMT_RGBA;
    }
    const int width = desiredWidth_ > 0 ? desiredWidth_ : frame->width;
    const int height = desiredHeight_ > 0 ? desiredHeight_ : frame->height;
    if (target != format || width != frame->width || height != frame->height) frame = Convert(frame.get(), target, width, height);
    if (!IsYuvFamily(target)) {
      // colorSpaceConversion "default": RGB outputs are sRGB, as browsers describe them.
      frame->color_primaries = AVCOL_PRI_BT709;
      frame->color_trc = AVCOL_TRC_IEC61966_2_1;
      frame->colorspace = AVCOL_SPC_RGB;
      frame->color_range = AVCOL_RANGE_JPEG;
    }
    return frame;
  }

  FramePtr Convert(const AVFrame* src, AVPixelFormat target, int width, int height) {
    const AVPixelFormat source = static_cast<AVPixelFormat>(src->format);
    // Bicubic, as the ffmpeg command line scales: the same conversion gives the same pixels.
    sws_.reset(sws_getCachedContext(sws_.release(), src->width, src->height, source, width, height, target, SWS_BICUBIC,
                                    nullptr, nullptr, nullptr));
    if (!sws_) Malformed("cannot convert the decoded image's pixel format");
    const bool fullRange = src->color_range == AVCOL_RANGE_JPEG;
    if (IsYuvFamily(source) && IsYuvFamily(target)) {
      // YUV to YUV keeps the source's range (a JPEG stays full range).
      int* inverse = nullptr;
      int* table = nullptr;
      int srcRange = 0, dstRange = 0, brightness = 0, contrast = 0, saturation = 0;
      sws_getColorspaceDetails(sws_.get(), &inverse, &srcRange, &table, &dstRange, &brightness, &contrast, &saturation);
      sws_setColorspaceDetails(sws_.get(), inverse, fullRange, table, fullRange, brightness, contrast, saturation);
    }
    FramePtr dst = MakeFrame();
    dst->format = target;
    dst->width = width;
    dst->height = height;
    if (av_frame_get_buffer(dst.get(), 0) < 0) throw std::bad_alloc();
    av_frame_copy_props(dst.get(), src);
    sws_scale(sws_.get(), src->data, src->linesize, 0, src->height, dst->data, dst->linesize);
    return dst;
  }

  ImageKind kind_ = ImageKind::Png;
  int desiredWidth_ = 0;
  int desiredHeight_ = 0;

  Bytes data_;  // [[encoded data]]
  bool complete_ = false;
  bool dataChanged_ = false;
  Layout layout_;
  bool established_ = false;
  uint32_t reportedFrameCount_ = 0;
  int64_t selectedTrack_ = 0;
  std::deque<uint32_t> requests_;  // frame indices of the decodes not answered yet, in order

  // Demuxed frames of a sequence (GIF, APNG, AVIF) and the decoder running through them.
  CodecParametersPtr parameters_;
  std::vector<EncodedFrame> frames_;
  CodecContextPtr decoder_;
  uint32_t nextFrame_ = 0;
  FramePtr cached_;  // the last frame output, in its WebCodecs format
  uint32_t cachedIndex_ = 0;
  SwsPtr sws_;
};

}  // namespace

std::unique_ptr<CodecCore> CreateImageDecoderCore() { return std::make_unique<ImageDecoderCore>(); }

}  // namespace wcs
