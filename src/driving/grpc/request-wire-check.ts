import { isUtf8 } from 'node:buffer';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { InvalidKeyError, InvalidValueError, type KvsError } from '../../core';
import type { OperationTable, StringFieldRole, StringFields } from '../../application/operations';

/** A request whose bytes are not a well-formed protobuf message of the method's request type. */
export class MalformedRequestError extends Error {
  readonly code = 'INVALID_MESSAGE';

  constructor(problem: string) {
    super(`request is not a valid protobuf message: ${problem}`);
    this.name = 'MalformedRequestError';
  }
}

/** The error for a `string` field whose bytes are not UTF-8, by the field's role in the operation table. */
const INVALID_UTF8: Readonly<Record<StringFieldRole, () => KvsError>> = {
  key: () => new InvalidKeyError('key is not valid UTF-8'),
  value: () => new InvalidValueError('value is not valid UTF-8'),
};

/**
 * Where a refused request carries its verdict: a non-enumerable property of the (empty) request
 * object the deserializer hands on, read by the handler; nothing else sees it.
 */
const WIRE_REJECTION = Symbol('kvs.wireRejection');
type CheckedRequest = { [WIRE_REJECTION]?: KvsError | MalformedRequestError };

/** Wire types of the protobuf encoding this service accepts (groups, 3 and 4, are not proto3). */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
/** A varint never takes more than 10 bytes. */
const MAX_VARINT_BYTES = 10;

/**
 * Checks each request's bytes before the handler sees it, strictly: the whole message must be
 * well-formed protobuf (every field complete, no length running past the end, known wire types),
 * the known fields must have their declared wire type, and the `string` fields must be UTF-8.
 * Unknown fields are tolerated, as protobuf requires.
 *
 * Why here: protobufjs decodes invalid UTF-8 into U+FFFD without complaint (a key sent as raw
 * bytes would silently become a different key), and a length-delimited field claiming more bytes
 * than the message has is decoded from what is there; a throwing deserializer becomes INTERNAL in
 * grpc-js. So the deserializer never throws: it notes the request and the handler answers
 * INVALID_ARGUMENT, storing nothing.
 */
export class RequestWireCheck {
  constructor(private readonly table: OperationTable) {}

  /**
   * The service with each request deserializer wrapped by the check, its string fields taken
   * from the method's row of the operation table. A method without a row is left as it is: the
   * call adapter refuses it UNIMPLEMENTED before anything reads its message.
   */
  wrap<S extends ServiceDefinition>(service: S): S {
    const wrapped = Object.entries(service).map(([name, method]) => {
      const operation = this.table.byGrpcPath(method.path);
      if (operation?.grpc === undefined) return [name, method];
      const stringFields = fieldChecksOf(operation.grpc.stringFields);
      const requestDeserialize = (bytes: Buffer): unknown => {
        let problem = wireProblem(bytes, stringFields);
        let request: object = {};
        if (!problem) {
          try {
            request = method.requestDeserialize(bytes) as object;
          } catch {
            problem = new MalformedRequestError('the decoder refused it');
          }
        }
        if (problem) Object.defineProperty(request, WIRE_REJECTION, { value: problem });
        return request;
      };
      return [name, { ...method, requestDeserialize }];
    });
    return Object.fromEntries(wrapped) as S;
  }
}

/** What is checked of a message's length-delimited fields: a string's UTF-8, or a nested message's own fields. */
interface FieldChecks {
  readonly [field: number]: (() => KvsError) | FieldChecks;
}

function fieldChecksOf(fields: StringFields): FieldChecks {
  return Object.fromEntries(
    Object.entries(fields).map(([field, role]: [string, StringFieldRole | StringFields]) => [
      field,
      typeof role === 'string' ? INVALID_UTF8[role as StringFieldRole] : fieldChecksOf(role),
    ]),
  );
}

/** The error to answer for a request whose bytes were refused, if they were. */
export function wireRejectionOf(request: object): KvsError | MalformedRequestError | undefined {
  return (request as CheckedRequest)[WIRE_REJECTION];
}

/** Walks the protobuf wire format; returns what is wrong with `bytes`, or undefined if nothing is. */
function wireProblem(bytes: Uint8Array, stringFields: FieldChecks): KvsError | MalformedRequestError | undefined {
  let position = 0;
  let invalidUtf8: KvsError | undefined;
  const readVarint = (): number | undefined => {
    let value = 0;
    for (let i = 0; i < MAX_VARINT_BYTES && position < bytes.length; i++) {
      const byte = bytes[position++];
      value += (byte & 0x7f) * 2 ** (7 * i);
      if (byte < 0x80) return value;
    }
    return undefined;
  };
  while (position < bytes.length) {
    const tag = readVarint();
    if (tag === undefined) return new MalformedRequestError('a field tag is cut short');
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) return new MalformedRequestError('field number 0');
    if (field in stringFields && wireType !== LENGTH_DELIMITED) {
      return new MalformedRequestError(`field ${field} must be length-delimited`);
    }
    switch (wireType) {
      case VARINT:
        if (readVarint() === undefined) return new MalformedRequestError('a varint is cut short');
        break;
      case FIXED64:
      case FIXED32:
        position += wireType === FIXED64 ? 8 : 4;
        if (position > bytes.length) return new MalformedRequestError('a fixed-size field is cut short');
        break;
      case LENGTH_DELIMITED: {
        const length = readVarint();
        if (length === undefined || position + length > bytes.length) {
          return new MalformedRequestError('a length-delimited field runs past the end of the message');
        }
        const end = position + length;
        const check = stringFields[field];
        if (typeof check === 'object') {
          // A nested message: well-formed itself, its own strings UTF-8.
          const nested = wireProblem(bytes.subarray(position, end), check);
          if (nested instanceof MalformedRequestError) return nested;
          invalidUtf8 ??= nested;
        } else if (check !== undefined && !invalidUtf8 && !isUtf8(bytes.subarray(position, end))) {
          invalidUtf8 = check();
        }
        position = end;
        break;
      }
      default:
        return new MalformedRequestError(`unsupported wire type ${wireType}`);
    }
  }
  return invalidUtf8;
}
