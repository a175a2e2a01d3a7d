import type { ServerResponse } from 'node:http';

/** Answers `body` as JSON with `status` (res.end rather than res.json: no ETag hashing of the body). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
