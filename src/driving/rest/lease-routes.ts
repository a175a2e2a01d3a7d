import type { Request, RequestHandler, Response } from 'express';
import { InvalidRequestError, type KeyValueStore, type LeaseStatus } from '../../core';
import { formatDuration } from '../../api/duration';
import { revokableKeys } from '../../application/data-model/key-access';
import type { Logger } from '../../platform/logging/logger';
import type { BodyBudget } from './body-budget';
import { sendFailure } from './http-status';
import { leaseIdOf, ttlOf } from './put-options';
import { readTextBody } from './read-body';
import { callOf } from './rest-call-adapter';

/** A grant's body is one small JSON object. */
const MAX_GRANT_BODY_BYTES = 1024;

/**
 * The handlers of the leases API (etcd's model, docs/ttl-and-leases.md), by operation name:
 * POST /v1/leases {"ttl": "10s"} grants, POST /v1/leases/{id}/keepalive renews,
 * GET /v1/leases/{id} shows the TTL, the time left and the keys, DELETE /v1/leases/{id}
 * revokes (one revision deletes every key attached). Lease ids are JSON strings (53 bits).
 */
export function leaseHandlers(
  store: KeyValueStore,
  logger: Logger,
  bodies: BodyBudget,
): Readonly<Record<string, RequestHandler>> {
  const answer =
    (work: (req: Request, res: Response) => unknown): RequestHandler =>
    async (req: Request, res: Response) => {
      try {
        const body = await work(req, res);
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(body));
      } catch (error) {
        sendFailure(res, error, logger);
      }
    };
  return {
    LeaseGrant: answer(async (req, res) => {
      const { id, ttlMs, revision } = await store.grantLease(
        ttlOf(grantTtl(await readTextBody(req, MAX_GRANT_BODY_BYTES, bodies))),
      );
      res.status(201).setHeader('X-Kvs-Revision', String(revision));
      return { id: String(id), ttl: formatDuration(ttlMs) };
    }),
    LeaseKeepAlive: answer(async (req) => statusBody(await store.keepAliveLease(leaseIdOf(req.params.id)))),
    LeaseTimeToLive: answer((req) => statusBody(store.leaseStatus(leaseIdOf(req.params.id)))),
    LeaseRevoke: answer(async (req, res) => {
      const { revision, deleted } = await store.revokeLease(
        leaseIdOf(req.params.id),
        revokableKeys(callOf(res)?.principal),
      );
      res.setHeader('X-Kvs-Revision', String(revision));
      return { revision, deleted };
    }),
  };
}

/** The `ttl` of a grant's JSON body: a duration string, or a number of seconds. */
function grantTtl(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidRequestError('the body must be a JSON object such as {"ttl": "10s"}');
  }
  const ttl = (parsed as { ttl?: unknown } | null)?.ttl;
  if (typeof ttl === 'number' && Number.isSafeInteger(ttl)) return String(ttl);
  if (typeof ttl !== 'string') throw new InvalidRequestError('the body must be a JSON object such as {"ttl": "10s"}');
  return ttl;
}

/** A lease as REST shows it: its TTL, the time left, its deadline (RFC 3339, ms) and its keys. */
function statusBody({ id, ttlMs, deadline, remainingMs, keys }: LeaseStatus): object {
  return {
    id: String(id),
    ttl: formatDuration(ttlMs),
    remainingMs: Math.max(0, remainingMs),
    expiresAt: new Date(deadline).toISOString(),
    keys: [...keys].sort(),
  };
}
