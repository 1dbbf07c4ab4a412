// The codec setup FFmpeg's muxers take as extradata, from a chunk's WebCodecs `description` or,
// where the registration allows none, from the bitstream itself:
//   H.264/HEVC avcC/hvcC as given; Annex B (no description): the first key chunk's parameter sets
//   AV1: the first key chunk's sequence header OBU (the muxers build av1C from it)
//   AAC AudioSpecificConfig as given; ADTS (no description): built from the first ADTS header,
//     and the ADTS headers are stripped from every chunk (each muxer adds its own framing)
//   FLAC: the bare STREAMINFO; Opus: OpusHead as given or a default one; Vorbis: as given
import { annexBParameterSets } from './annexb.js';
import { ContainerError } from './container-error.js';

export type SetupCodec = 'h264' | 'hevc' | 'vp8' | 'vp9' | 'av1' | 'aac' | 'mp3' | 'opus' | 'flac' | 'vorbis' | 'pcm';

export interface CodecSetup {
  extradata?: Uint8Array;
  /** Rewrites each chunk's bytes for the muxer (ADTS headers removed), if needed. */
  rewrite?: (data: Uint8Array) => Uint8Array;
}

// ---- AV1 (AV1 spec 5.3: OBU header, leb128 sizes) ----

const OBU_SEQUENCE_HEADER = 1;

function av1SequenceHeader(data: Uint8Array): Uint8Array | null {
  let offset = 0;
  while (offset < data.length) {
    const header = data[offset]!;
    const type = (header >> 3) & 0x0f;
    const hasExtension = (header >> 2) & 1;
    const hasSize = (header >> 1) & 1;
    let cursor = offset + 1 + hasExtension;
    let size = data.length - cursor;
    if (hasSize) {
      size = 0;
      for (let i = 0; i < 8; i++) {
        const byte = data[cursor++]!;
        size |= (byte & 0x7f) << (7 * i);
        if ((byte & 0x80) === 0) break;
      }
    }
    const end = cursor + size;
    if (type === OBU_SEQUENCE_HEADER) return data.subarray(offset, end);
    offset = end;
  }
  return null;
}

// ---- AAC ADTS (ISO/IEC 13818-7 6.2.1) ----

function isAdts(data: Uint8Array): boolean {
  return data.length >= 7 && data[0] === 0xff && (data[1]! & 0xf6) === 0xf0;
}

function adtsHeaderLength(data: Uint8Array): number {
  return data[1]! & 1 ? 7 : 9; // protection_absent: no CRC
}

function audioSpecificConfigFromAdts(data: Uint8Array): Uint8Array {
  const objectType = (data[2]! >> 6) + 1;
  const frequencyIndex = (data[2]! >> 2) & 0x0f;
  const channels = ((data[2]! & 1) << 2) | (data[3]! >> 6);
  return Uint8Array.from([(objectType << 3) | (frequencyIndex >> 1), ((frequencyIndex & 1) << 7) | (channels << 3)]);
}

// ---- Opus (RFC 7845 5.1) ----

function defaultOpusHead(channels: number, sampleRate: number): Uint8Array {
  if (channels > 2) {
    throw new ContainerError('invalid-config', `Opus with ${channels} channels needs its OpusHead description (the channel mapping)`);
  }
  const head = new Uint8Array(19);
  head.set([...'OpusHead'].map((c) => c.charCodeAt(0)));
  const view = new DataView(head.buffer);
  head[8] = 1; // version
  head[9] = channels;
  view.setUint16(10, 0, true); // pre-skip: unknown without the encoder's word for it
  view.setUint32(12, sampleRate, true); // input sample rate (informational)
  view.setInt16(16, 0, true); // output gain
  head[18] = 0; // mapping family 0: mono or stereo
  return head;
}

// ---- FLAC ("fLaC", then metadata blocks; the first is STREAMINFO) ----

const STREAMINFO_SIZE = 34;

function flacStreamInfo(description: Uint8Array): Uint8Array {
  const magic = description[0] === 0x66 && description[1] === 0x4c && description[2] === 0x61 && description[3] === 0x43;
  if (magic && description.length >= 8 + STREAMINFO_SIZE && (description[4]! & 0x7f) === 0) {
    return description.subarray(8, 8 + STREAMINFO_SIZE);
  }
  if (!magic && description.length === STREAMINFO_SIZE) return description;
  throw new ContainerError('invalid-config', 'a FLAC description must be "fLaC" followed by the STREAMINFO block');
}

/** The extradata for a track, from its description and (for codecs that need it) its first chunk. */
export function codecSetup(
  codec: SetupCodec,
  description: Uint8Array | undefined,
  firstChunk: Uint8Array | undefined,
  audio: { channels: number; sampleRate: number } | null,
): CodecSetup {
  switch (codec) {
    case 'h264':
    case 'hevc': {
      if (description !== undefined) return { extradata: description };
      const sets = firstChunk !== undefined ? annexBParameterSets(codec, firstChunk) : null;
      if (sets === null) {
        throw new ContainerError('invalid-config', `the first ${codec === 'h264' ? 'H.264' : 'HEVC'} chunk has no parameter sets and there is no description; start with a key chunk`);
      }
      return { extradata: sets };
    }
    case 'av1': {
      const header = firstChunk !== undefined ? av1SequenceHeader(firstChunk) : null;
      return header !== null ? { extradata: header } : {};
    }
    case 'aac': {
      const rewrite = (data: Uint8Array): Uint8Array => (isAdts(data) ? data.subarray(adtsHeaderLength(data)) : data);
      if (description !== undefined) return { extradata: description, rewrite };
      if (firstChunk === undefined || !isAdts(firstChunk)) {
        throw new ContainerError('invalid-config', 'AAC without a description must be ADTS; give the AudioSpecificConfig as description');
      }
      return { extradata: audioSpecificConfigFromAdts(firstChunk), rewrite };
    }
    case 'opus':
      return { extradata: description ?? defaultOpusHead(audio?.channels ?? 2, audio?.sampleRate ?? 48000) };
    case 'flac':
      if (description === undefined) throw new ContainerError('invalid-config', 'FLAC needs its description ("fLaC" + STREAMINFO)');
      return { extradata: flacStreamInfo(description) };
    case 'vorbis':
      if (description === undefined) throw new ContainerError('invalid-config', 'Vorbis needs its description (the three Xiph-laced headers)');
      return { extradata: description };
    default:
      return {};
  }
}
