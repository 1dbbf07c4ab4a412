// AudioDecoderConfig: WebIDL conversion + "Clone Configuration", and "valid AudioDecoderConfig".
import type { AllowSharedBufferSource } from '../webidl.js';
import { requireDictionary } from '../webidl.js';
import { compact, copyBufferSource, readBufferSource, readString, readUnsignedLong } from './dictionary.js';

export interface AudioDecoderConfig {
  codec: string;
  sampleRate: number;
  numberOfChannels: number;
  description?: AllowSharedBufferSource;
}

const WHERE = 'AudioDecoderConfig';

/** Converts, validates ("valid AudioDecoderConfig") and deep-copies `config`. TypeError if invalid. */
export function parseAudioDecoderConfig(config: unknown): AudioDecoderConfig & { description?: Uint8Array } {
  const dict = requireDictionary(config, WHERE);
  const clone = compact({
    codec: readString(dict, 'codec', WHERE, true)!,
    sampleRate: readUnsignedLong(dict, 'sampleRate', WHERE, true)!,
    numberOfChannels: readUnsignedLong(dict, 'numberOfChannels', WHERE, true)!,
    // A detached description is invalid: copyBufferSource throws TypeError for it.
    description: copyBufferSource(readBufferSource(dict, 'description', WHERE), `${WHERE}.description`),
  });
  if (clone.codec.trim() === '') throw new TypeError('invalid AudioDecoderConfig: codec is empty; give a codec string such as "opus"');
  // Not in the spec's validity steps, but browsers (and the web-platform-tests) reject these as
  // TypeError too: no decoder output can have zero channels or a zero rate.
  if (clone.sampleRate === 0) throw new TypeError('invalid AudioDecoderConfig: sampleRate must be greater than 0');
  if (clone.numberOfChannels === 0) throw new TypeError('invalid AudioDecoderConfig: numberOfChannels must be greater than 0');
  return clone;
}
