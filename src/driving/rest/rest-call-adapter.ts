import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TLSSocket } from 'node:tls';
import { Call, certificateSubject } from '../../application/call/call';
import type { Verdict } from '../../application/call/refusal';
import { REQUEST_ID_HEADER } from '../../application/call/request-id';
import { UNROUTED, type Operation, type OperationTable } from '../../application/operations';
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
 * maps the request to its operation, builds the Call (its key from the path), lets the observers
 * see it and runs the policies before the body is read. A request that maps to no row is
 * observed (as `UNROUTED`) but skips every policy, going straight to the routes' fallbacks (404
 * NO_SUCH_ROUTE, 405, a malformed key path), whatever its credentials. A pipeline that answers
 * synchronously adds no promise hop.
 */
export function restCallAdapter(table: OperationTable, pipeline: PolicyPipeline): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const resolved = table.byRest(req.method, req.path);
    if (resolved === undefined && pipeline.observers.length === 0) {
      next();
      return;
    }
    const operation = resolved?.operation ?? UNROUTED;
    const call = startRestCall(pipeline, req, res, operation, resolved?.key);
    if (resolved === undefined) {
      endWithResponse(req, res, call);
      next();
      return;
    }
    (res.locals as Record<string, Call>)[CALL_LOCAL] = call;
    const verdict = admitRestCall(pipeline, req, res, call);
    if (verdict === undefined) next();
    else if (verdict instanceof Promise)
      verdict.then((settled) => (settled ? sendRefusal(res, settled) : next()), next);
    else sendRefusal(res, verdict);
  };
}

/**
 * Builds the Call of a REST request for `operation` (`UNROUTED`: no row) with its key (`key`
 * undefined: undecodable), lets the observers see it and returns the request id they made.
 */
export function startRestCall(
  pipeline: PolicyPipeline,
  req: IncomingMessage,
  res: ServerResponse,
  operation: Operation,
  key: string | undefined,
): Call {
  const call = new Call({
    transport: 'rest',
    operation,
    authorization: req.headers.authorization,
    peer: () => restPeer(req),
    method: req.method!,
    route: operation.rest?.path,
    suppliedRequestId: req.headers[REQUEST_ID_HEADER],
  });
  if (operation.key !== undefined) call.knowKey(key);
  pipeline.observe(call);
  if (call.hasRequestId) res.setHeader(REQUEST_ID_HEADER, call.requestId);
  return call;
}

/**
 * Runs the policies on a started call and has it end with its response; the caller answers a
 * refusal and runs the handler otherwise. Synchronous unless a policy answers with a promise.
 */
export function admitRestCall(
  pipeline: PolicyPipeline,
  req: IncomingMessage,
  res: ServerResponse,
  call: Call,
): Verdict | Promise<Verdict> {
  const verdict = pipeline.policies.length === 0 ? undefined : pipeline.admit(call);
  endWithResponse(req, res, call);
  return verdict;
}

/** Ends the call with its outcome when the response is done, if an observer or policy waits for that. */
function endWithResponse(req: IncomingMessage, res: ServerResponse, call: Call): void {
  if (!call.hasEndings) return;
  const countsBytes = call.readsBytesOut;
  const bytesBefore = countsBytes ? req.socket.bytesWritten : 0;
  const end = (): void => {
    // 'close' after 'finish': ended already, nothing to read again.
    if (call.outcome !== undefined) return;
    // The route express matched, which a fallback (405, malformed key path) knows better than the table.
    const route = (req as { route?: { path?: string } }).route?.path;
    if (route !== undefined) call.route = route;
    call.end({
      status: res.statusCode,
      serverFault: res.statusCode >= 500,
      answered: res.writableFinished,
      bytesOut: countsBytes ? req.socket.bytesWritten - bytesBefore : undefined,
    });
  };
  // 'finish' once the response is sent, before the http instrumentation ends its span on
  // 'close', which alone fires when the connection is gone first; the call ends once.
  res.on('finish', end);
  res.on('close', end);
}

/** The caller when no token names one: the verified client certificate's subject, else the remote address. */
function restPeer(req: IncomingMessage): string {
  const socket = req.socket as Partial<TLSSocket>;
  const certificate = socket.authorized === true ? socket.getPeerCertificate?.() : undefined;
  const name = certificateSubject(certificate?.subject);
  if (name !== undefined) return `cert:${name}`;
  return `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}
