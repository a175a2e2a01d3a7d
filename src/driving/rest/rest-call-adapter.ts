import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TLSSocket } from 'node:tls';
import { Call, certificateSubject } from '../../application/call/call';
import type { Verdict } from '../../application/call/refusal';
import type { OperationTable } from '../../application/operations';
import type { PolicyPipeline } from '../../application/pipeline';
import { sendRefusal } from './http-status';

/** Where the adapter leaves the request's Call for the handlers and observers after it (`res.locals`). */
export const CALL_LOCAL = 'kvsCall';

/** The Call of a REST request that mapped to an operation, else undefined. */
export function callOf(res: Response): Call | undefined {
  return (res.locals as Record<string, Call | undefined>)[CALL_LOCAL];
}

/**
 * The REST adapter of the policy pipeline, the one middleware between express and the policies:
 * maps the request to its operation, builds the Call (its key from the path) and runs the
 * pipeline before the body is read. A request that maps to no row skips every policy and goes
 * straight to the routes' fallbacks (404 NO_SUCH_ROUTE, 405, a malformed key path), whatever its
 * credentials. A pipeline that answers synchronously adds no promise hop.
 */
export function restCallAdapter(table: OperationTable, pipeline: PolicyPipeline): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const resolved = table.byRest(req.method, req.path);
    if (resolved === undefined) {
      next();
      return;
    }
    const call = new Call({
      transport: 'rest',
      operation: resolved.operation,
      authorization: req.headers.authorization,
      peer: () => restPeer(req),
    });
    if (resolved.operation.key !== undefined) call.knowKey(resolved.key);
    (res.locals as Record<string, Call>)[CALL_LOCAL] = call;
    if (pipeline.policies.length === 0) {
      next();
      return;
    }
    const decide = (verdict: Verdict): void => {
      if (verdict === undefined) next();
      else sendRefusal(res, verdict);
    };
    const verdict = pipeline.admit(call);
    // 'close' fires once the response is sent or the connection is gone, whichever is first.
    if (call.hasEndings) res.once('close', () => call.end());
    if (verdict instanceof Promise) verdict.then(decide, next);
    else decide(verdict);
  };
}

/** The caller when no token names one: the verified client certificate's subject, else the remote address. */
function restPeer(req: Request): string {
  const socket = req.socket as Partial<TLSSocket>;
  const certificate = socket.authorized === true ? socket.getPeerCertificate?.() : undefined;
  const name = certificateSubject(certificate?.subject);
  if (name !== undefined) return `cert:${name}`;
  return `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}
