import { isUtf8 } from 'node:buffer';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { InvalidKeyError, InvalidValueError, type KvsError } from '../../core';

/** The `string` fields of each KeyValue request by field number, and the error for bad bytes in them. */
const STRING_FIELDS: Readonly<Record<string, Readonly<Record<number, () => KvsError>>>> = {
  Get: { 1: () => new InvalidKeyError('key is not valid UTF-8') },
  Put: {
    1: () => new InvalidKeyError('key is not valid UTF-8'),
    2: () => new InvalidValueError('value is not valid UTF-8'),
  },
  Delete: { 1: () => new InvalidKeyError('key is not valid UTF-8') },
};

/**
 * Rejects requests whose string fields are not valid UTF-8.
 *
 * proto3 requires `string` fields to be UTF-8, but protobufjs decodes invalid bytes into U+FFFD
 * without complaint, so a key sent as raw bytes would silently become a different key. The
 * check runs on the encoded request, where the original bytes still exist; a throwing
 * deserializer would turn into INTERNAL, so it notes the request and the handler answers
 * INVALID_ARGUMENT instead.
 */
export class Utf8RequestCheck {
  private readonly rejected = new WeakMap<object, KvsError>();

  /** The service with each request deserializer wrapped by the check. */
  wrap<S extends ServiceDefinition>(service: S): S {
    const wrapped = Object.entries(service).map(([name, method]) => {
      const stringFields = STRING_FIELDS[name] ?? {};
      const requestDeserialize = (bytes: Buffer): unknown => {
        const request = method.requestDeserialize(bytes) as object;
        const field = firstInvalidUtf8Field(bytes, stringFields);
        if (field !== undefined) this.rejected.set(request, stringFields[field]());
        return request;
      };
      return [name, { ...method, requestDeserialize }];
    });
    return Object.fromEntries(wrapped) as S;
  }

  /** The error to answer for a request that carried invalid UTF-8, if it did. */
  rejectionOf(request: object): KvsError | undefined {
    return this.rejected.get(request);
  }
}

/**
 * Walks the protobuf wire format and returns the first of `fields` whose length-delimited
 * payload is not UTF-8. Malformed input is left to the real decoder, which has already run.
 */
function firstInvalidUtf8Field(bytes: Uint8Array, fields: Readonly<Record<number, unknown>>): number | undefined {
  let position = 0;
  const readVarint = (): number => {
    let value = 0;
    for (let shift = 0; position < bytes.length && shift < 64; shift += 7) {
      const byte = bytes[position++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return NaN;
  };
  while (position < bytes.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    switch (tag % 8) {
      case 0:
        readVarint();
        break;
      case 1:
        position += 8;
        break;
      case 5:
        position += 4;
        break;
      case 2: {
        const length = readVarint();
        const end = position + length;
        if (!(end <= bytes.length)) return undefined;
        if (field in fields && !isUtf8(bytes.subarray(position, end))) return field;
        position = end;
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}
