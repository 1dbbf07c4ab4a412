// VP8: the registration allows exactly one codec string; VP8 has no profiles or levels to carry.
import type { ParsedVideoCodec } from './index.js';

export type ParsedVp8 = Extract<ParsedVideoCodec, { kind: 'vp8' }>;

export function parseVp8(codec: string): ParsedVp8 | null {
  return codec === 'vp8' ? { kind: 'vp8', codec } : null;
}
