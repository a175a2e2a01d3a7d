import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { restCaller } from '../../call/caller-identity';
import { sendRefusal } from '../../call/refusal';
import type { CallerRateLimiter } from './caller-rate-limiter';

/** Express middleware charging each request to its caller's bucket; the gRPC twin is rateLimitInterceptor. */
export function rateLimitMiddleware(limiter: CallerRateLimiter): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    limiter.take(restCaller(req)).then(
      (refusal) => (refusal ? sendRefusal(res, refusal) : next()),
      (error: unknown) => next(error),
    );
  };
}
