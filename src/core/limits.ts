import {
  InvalidKeyError,
  InvalidRequestError,
  InvalidValueError,
  KeyTooLargeError,
  ValueTooLargeError,
} from './errors';

/** Size limits the store enforces on every write, in UTF-8 bytes. */
export interface Limits {
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  /**
   * The quota on live data (UTF-8 bytes of every live key and value): a write that would take
   * it past this is refused with QuotaExceededError. No quota when undefined.
   */
  readonly maxDataBytes?: number;
  /** The longest TTL a put may carry, in ms; DEFAULT_MAX_TTL_MS when undefined. */
  readonly maxTtlMs?: number;
}

/** The longest TTL when none is configured: 30 days. */
export const DEFAULT_MAX_TTL_MS = 30 * 24 * 3600 * 1000;

/** The limits a store uses when none are configured: 1 KiB keys, 1 MiB values, no quota. */
export const DEFAULT_LIMITS: Limits = { maxKeyBytes: 1024, maxValueBytes: 1024 * 1024 };

/** Ops a transaction branch may hold at most, and compares a transaction may hold at most (etcd's default). */
export const MAX_TXN_OPS = 128;

/** Length of a string's UTF-8 encoding, computed without allocating it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

// Strings with lone surrogates are refused: UTF-8 cannot hold them, so a log would give them
// back as U+FFFD and memory would no longer match the log.
const LONE_SURROGATE = 'is not valid Unicode (it has a lone surrogate)';

/** Throws unless the key is non-empty, valid Unicode and within the limit. */
export function checkKey(key: string, limits: Limits): void {
  if (key.length === 0) throw new InvalidKeyError('key must not be empty');
  if (!key.isWellFormed()) throw new InvalidKeyError(`key ${LONE_SURROGATE}`);
  // A UTF-8 byte is at most one UTF-16 unit, so short keys skip the byte count.
  if (key.length * 3 <= limits.maxKeyBytes) return;
  const size = utf8ByteLength(key);
  if (size > limits.maxKeyBytes) throw new KeyTooLargeError(size, limits.maxKeyBytes);
}

/** Throws unless the value is valid Unicode and within the limit. */
export function checkValue(value: string, limits: Limits): void {
  if (!value.isWellFormed()) throw new InvalidValueError(`value ${LONE_SURROGATE}`);
  if (value.length * 3 <= limits.maxValueBytes) return;
  const size = utf8ByteLength(value);
  if (size > limits.maxValueBytes) throw new ValueTooLargeError(size, limits.maxValueBytes);
}

/** Throws InvalidRequestError unless the TTL is a whole number of ms from 1 to the limit. */
export function checkTtl(ttlMs: number, limits: Limits): void {
  const max = limits.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > max) {
    throw new InvalidRequestError(`ttl must be a whole number of milliseconds from 1 to ${max}`);
  }
}
