import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { recordSubject, restCaller } from '../caller-identity';
import { sendRefusal } from '../refusal';
import { isRefusal, type AccessPolicy } from './access-policy';
import { restRequirement } from './requirements';

/** Express middleware enforcing the access policy; the gRPC twin is authInterceptor. */
export function authMiddleware(policy: AccessPolicy, protectMetrics: boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requirement = restRequirement(req.method, req.path, protectMetrics);
    if (requirement.open) {
      next();
      return;
    }
    const request = { transport: 'rest' as const, operation: `${req.method} ${req.path}`, caller: restCaller(req) };
    policy.authenticate(req.headers.authorization, request).then(
      (result) => {
        if (isRefusal(result)) {
          sendRefusal(res, result);
          return;
        }
        if (result.subject !== undefined) recordSubject(req, result.subject);
        const source = requirement.key;
        const key = typeof source === 'object' ? source.value : undefined;
        const refusal = policy.authorize(result, requirement, key, request);
        if (refusal) sendRefusal(res, refusal);
        else next();
      },
      (error: unknown) => next(error),
    );
  };
}
