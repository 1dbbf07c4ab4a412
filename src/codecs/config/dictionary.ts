// Reading WebIDL dictionaries member by member, as "Clone Configuration" needs: only the members
// the dictionary type defines are copied (deeply), with their IDL conversions applied.
import { enforceRange, enforceUnsignedLong, isBufferSource, isDetached, type BufferSource } from '../webidl.js';

export function readString(dict: Record<string, unknown>, key: string, where: string, required = false): string | undefined {
  const value = dict[key];
  if (value === undefined) {
    if (required) throw new TypeError(`${where}.${key} is required`);
    return undefined;
  }
  if (typeof value === 'symbol') throw new TypeError(`${where}.${key} must be a string`);
  return String(value);
}

export function readUnsignedLong(dict: Record<string, unknown>, key: string, where: string, required = false): number | undefined {
  const value = dict[key];
  if (value === undefined) {
    if (required) throw new TypeError(`${where}.${key} is required`);
    return undefined;
  }
  return enforceUnsignedLong(value, `${where}.${key}`);
}

export function readUnsignedLongLong(dict: Record<string, unknown>, key: string, where: string): number | undefined {
  const value = dict[key];
  return value === undefined ? undefined : enforceRange(value, `${where}.${key}`, 0);
}

export function readDouble(dict: Record<string, unknown>, key: string, where: string): number | undefined {
  const value = dict[key];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`${where}.${key} must be a finite number (got ${String(value)})`);
  return n;
}

export function readBoolean(dict: Record<string, unknown>, key: string): boolean | undefined {
  const value = dict[key];
  return value === undefined ? undefined : Boolean(value);
}

export function readEnum<T extends string>(
  dict: Record<string, unknown>,
  key: string,
  where: string,
  values: readonly T[],
): T | undefined {
  const value = dict[key];
  if (value === undefined) return undefined;
  const s = String(value);
  if (!(values as readonly string[]).includes(s)) {
    throw new TypeError(`${where}.${key} must be one of ${values.map((v) => `"${v}"`).join(', ')} (got "${s}")`);
  }
  return s as T;
}

export function readBufferSource(dict: Record<string, unknown>, key: string, where: string): BufferSource | undefined {
  const value = dict[key];
  if (value === undefined) return undefined;
  if (!isBufferSource(value)) throw new TypeError(`${where}.${key} must be an ArrayBuffer or ArrayBufferView`);
  return value;
}

/** A copy of a BufferSource member (the spec's deep copy), or undefined. Detached → TypeError. */
export function copyBufferSource(source: BufferSource | undefined, name: string): Uint8Array | undefined {
  if (source === undefined) return undefined;
  if (isDetached(source)) throw new TypeError(`${name} is detached`);
  const view = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
  return new Uint8Array(view);
}

export function readDictionary(dict: Record<string, unknown>, key: string, where: string): Record<string, unknown> | undefined {
  const value = dict[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw new TypeError(`${where}.${key} must be an object`);
  return value as Record<string, unknown>;
}

/** Removes undefined members so cloned configs compare and print like browsers' dictionaries. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

export const HARDWARE_ACCELERATION = ['no-preference', 'prefer-hardware', 'prefer-software'] as const;
export type HardwareAcceleration = (typeof HARDWARE_ACCELERATION)[number];
