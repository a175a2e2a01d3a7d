import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidRequestError, type KeyEntry, type WriteCondition } from '../../core';

/** A key's entity tag: its mod_revision, quoted (RFC 9110 strong validator). */
export function etagOf(modRevision: number): string {
  return `"${modRevision}"`;
}

/** Sets ETag (when the key is live) and the X-Kvs-* revision headers of a key's entry. */
export function setRevisionHeaders(res: ServerResponse, revision: number, entry: KeyEntry | undefined): void {
  res.setHeader('X-Kvs-Revision', String(revision));
  if (entry === undefined) return;
  res.setHeader('ETag', etagOf(entry.modRevision));
  res.setHeader('X-Kvs-Create-Revision', String(entry.createRevision));
  res.setHeader('X-Kvs-Version', String(entry.version));
  // The key's deadline (RFC 3339, ms) or lease, when its generation has one (docs/ttl-and-leases.md).
  if (entry.expiresAt !== undefined) res.setHeader('X-Kvs-Expires-At', new Date(entry.expiresAt).toISOString());
  if (entry.lease !== undefined) res.setHeader('X-Kvs-Lease', String(entry.lease));
}

const QUOTED_REVISION = /^"(\d{1,16})"$/;

/**
 * The condition a write's If-Match / If-None-Match headers state: `If-Match: "<mod_revision>"`
 * (the key's current mod_revision must be that), `If-Match: *` (it must be live),
 * `If-None-Match: *` (it must be absent). Undefined without either header; InvalidRequestError
 * for any other form (lists and weak tags are not offered: one write, one expectation).
 */
export function writeCondition(req: IncomingMessage): WriteCondition | undefined {
  const ifMatch = req.headers['if-match']?.trim();
  const ifNoneMatch = req.headers['if-none-match']?.trim();
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    throw new InvalidRequestError('send either If-Match or If-None-Match, not both');
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== '*') throw new InvalidRequestError('a write takes If-None-Match: * only');
    return { exists: false };
  }
  if (ifMatch === undefined) return undefined;
  if (ifMatch === '*') return { exists: true };
  const revision = QUOTED_REVISION.exec(ifMatch)?.[1];
  if (revision === undefined) throw new InvalidRequestError('If-Match must be * or a quoted mod_revision, e.g. "42"');
  return { modRevision: Number(revision) };
}

/** Whether a GET's If-None-Match names the key's current entity tag (or `*` for a live key): answer 304. */
export function notModified(req: IncomingMessage, entry: KeyEntry): boolean {
  const header = req.headers['if-none-match'];
  if (header === undefined) return false;
  const current = etagOf(entry.modRevision);
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === current || trimmed === `W/${current}`;
  });
}
