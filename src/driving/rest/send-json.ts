import type { Response } from 'express';

/** Answers `body` as JSON with `status` (res.end rather than res.json: no ETag hashing of the body). */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
