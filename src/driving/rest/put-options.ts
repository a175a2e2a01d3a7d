import type { ParsedUrlQuery } from 'node:querystring';
import { InvalidRequestError, type PutOptions } from '../../core';
import { DURATION_SYNTAX, parseDuration } from '../../api/duration';

/** A lease id as REST writes it: a decimal whole number (ids are below 2^53). */
const LEASE_ID = /^[1-9]\d{0,15}$/;

/** A lease id from a path or query parameter; InvalidRequestError unless it is one. */
export function leaseIdOf(text: unknown): number {
  const id = typeof text === 'string' && LEASE_ID.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw new InvalidRequestError('a lease id is a decimal whole number');
  return id;
}

/** A TTL as REST writes it (`30s`, `500ms`; bare: seconds), in ms; InvalidRequestError unless it is one. */
export function ttlOf(text: unknown): number {
  const ms = typeof text === 'string' ? parseDuration(text) : undefined;
  if (ms === undefined) throw new InvalidRequestError(`ttl must be ${DURATION_SYNTAX}`);
  return ms;
}

/** What a PUT's `?ttl=` or `?lease=` asks of the key's new generation (the store refuses both at once). */
export function putOptionsOf(query: ParsedUrlQuery): PutOptions {
  const { ttl, lease } = query;
  return {
    ...(ttl === undefined ? {} : { ttlMs: ttlOf(ttl) }),
    ...(lease === undefined ? {} : { lease: leaseIdOf(lease) }),
  };
}
