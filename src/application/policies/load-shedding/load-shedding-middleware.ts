import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendRefusal } from '../../call/refusal';
import type { LoadShedder } from './load-shedder';

/** Express middleware refusing requests while overloaded; the gRPC twin is loadSheddingInterceptor. */
export function loadSheddingMiddleware(shedder: LoadShedder): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const admission = shedder.admit();
    if ('httpStatus' in admission) {
      sendRefusal(res, admission);
      return;
    }
    // 'close' fires once the response is sent or the connection is gone, whichever is first.
    res.once('close', admission.release);
    next();
  };
}
