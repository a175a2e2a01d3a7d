import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { recordSubject, restCaller } from '../../call/caller-identity';
import { sendRefusal } from '../../call/refusal';
import { isRefusal, type AccessPolicy, type Principal, type Refusal, type RequestSummary } from './access-policy';
import { restRequirement } from './requirements';

/** Express middleware enforcing the access policy; the gRPC twin is authInterceptor. */
export function authMiddleware(policy: AccessPolicy, protectMetrics: boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requirement = restRequirement(req.method, req.path, protectMetrics);
    if (requirement.open) {
      next();
      return;
    }
    const describe = (): RequestSummary => ({
      transport: 'rest',
      operation: `${req.method} ${req.path}`,
      caller: restCaller(req),
    });
    const decide = (result: Principal | Refusal): void => {
      if (isRefusal(result)) {
        sendRefusal(res, result);
        return;
      }
      if (result.subject !== undefined) recordSubject(req, result.subject);
      const source = requirement.key;
      const key = typeof source === 'object' ? source.value : undefined;
      const refusal = policy.authorize(result, requirement, key, describe);
      if (refusal) sendRefusal(res, refusal);
      else next();
    };
    const authenticated = policy.authenticate(req.headers.authorization, describe);
    // A cached token is decided synchronously: no promise hop on the hot path.
    if (authenticated instanceof Promise) authenticated.then(decide, next);
    else decide(authenticated);
  };
}
