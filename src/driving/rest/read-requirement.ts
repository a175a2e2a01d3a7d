import type { Request } from 'express';
import type { ReadRequirement } from '../../application/consistency/read-consistency';
import { InvalidRequestError } from '../../core';

/** The header naming the revision a read must reflect at least (a write's X-Kvs-Revision). */
export const MIN_REVISION_HEADER = 'x-kvs-min-revision';

const REVISION = /^\d{1,16}$/;

/**
 * What a read asks of the replica answering it: `X-Kvs-Min-Revision: <revision>` and
 * `?linearizable=true` (`linearizable`: the query parameter as the route read it).
 * InvalidRequestError for a header that is not a whole number, or a flag not true/false.
 */
export function readRequirementOf(req: Request, linearizable: unknown): ReadRequirement {
  const header = req.headers[MIN_REVISION_HEADER];
  let minRevision: number | undefined;
  if (header !== undefined) {
    const text = Array.isArray(header) ? header.join(',') : header.trim();
    if (!REVISION.test(text)) throw new InvalidRequestError('X-Kvs-Min-Revision must be a whole number (a revision)');
    minRevision = Number(text);
  }
  if (linearizable !== undefined && linearizable !== 'true' && linearizable !== 'false') {
    throw new InvalidRequestError('linearizable must be true or false');
  }
  return { minRevision, linearizable: linearizable === 'true' };
}
