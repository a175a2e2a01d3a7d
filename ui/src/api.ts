// The REST API as the UI uses it: every request carries the session's bearer token in the
// Authorization header (never in a URL or a cookie), and every refusal becomes an ApiError with
// the service's own code and message.

const TOKEN_KEY = 'kvs.token';

/** An answer other than 2xx/304: the documented error body's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The answer's ETag, which a 412 carries: the key's current one. */
    readonly etag: string | null,
  ) {
    super(message);
  }

  /** The error as people read it: "403 PERMISSION_DENIED: ...". */
  describe(): string {
    return `${this.status} ${this.code}: ${this.message}`;
  }
}

/** A key's metadata as a range page or a watch event carries it. */
export interface Entry {
  readonly key: string;
  readonly value?: string;
  readonly create_revision: number;
  readonly mod_revision: number;
  readonly version: number;
  readonly expires_at_ms?: number;
}

/** A page of GET /v1/keys. */
export interface RangePage {
  readonly revision: number;
  readonly items: readonly Entry[];
  readonly next_start_after: string | null;
}

/** What GET /v1/key/{key} answers. */
export interface KeyRead {
  readonly value: string;
  readonly revision: number;
  readonly entry: Entry;
  readonly lease?: string;
}

/** GET /v1/status. */
export interface ServiceStatus {
  readonly revision: number;
  readonly keys: number;
  readonly log_health: string;
  readonly readiness: string;
  readonly version: string;
}

/** What a write states about the key it replaces: its mod_revision, or that it must be absent. */
export type Expectation = { readonly modRevision: number } | { readonly absent: true } | undefined;

/** The session's token (sessionStorage: gone when the tab closes). */
export const tokens = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/** Headers with the session's bearer token added. */
export function authorized(extra: Record<string, string> = {}): Headers {
  const headers = new Headers(extra);
  const token = tokens.get();
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  return headers;
}

/** An ApiError from a refused answer (its JSON error body when it has one). */
export async function errorOf(response: Response): Promise<ApiError> {
  let code = 'HTTP_ERROR';
  let message = response.statusText;
  try {
    const body = (await response.json()) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not the documented body (a proxy's page): the status says enough.
  }
  return new ApiError(response.status, code, message, response.headers.get('ETag'));
}

async function call(path: string, init: RequestInit = {}, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(path, { ...init, headers: authorized(headers), cache: 'no-store' });
  if (!response.ok) throw await errorOf(response);
  return response;
}

const keyPath = (key: string): string => `/v1/key/${encodeURIComponent(key)}`;

/** Query text of the defined parameters. */
function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
  return search.toString();
}

/** A page of keys (no values) in [start, end), after `startAfter`. */
export async function listKeys(start: string, end: string | undefined, startAfter: string | undefined, limit: number) {
  const q = query({ start, end, start_after: startAfter, limit: String(limit), keys_only: 'true' });
  return (await (await call(`/v1/keys?${q}`)).json()) as RangePage;
}

/** Whether any key starts with `prefix`. */
export async function anyKeyUnder(prefix: string): Promise<boolean> {
  const page = (await (await call(`/v1/keys?${query({ prefix, limit: '1', keys_only: 'true' })}`)).json()) as RangePage;
  return page.items.length > 0;
}

/** A key's value and metadata; undefined when it is absent. */
export async function readKey(key: string): Promise<KeyRead | undefined> {
  let response: Response;
  try {
    response = await call(keyPath(key));
  } catch (error) {
    if (error instanceof ApiError && error.code === 'KEY_NOT_FOUND') return undefined;
    throw error;
  }
  const header = (name: string): string | null => response.headers.get(name);
  const expires = header('X-Kvs-Expires-At');
  return {
    // Not response.text(): it drops a leading byte order mark, which is part of the value.
    value: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer()),
    revision: Number(header('X-Kvs-Revision')),
    lease: header('X-Kvs-Lease') ?? undefined,
    entry: {
      key,
      create_revision: Number(header('X-Kvs-Create-Revision')),
      mod_revision: Number(header('ETag')?.replace(/"/g, '')),
      version: Number(header('X-Kvs-Version')),
      ...(expires === null ? {} : { expires_at_ms: Date.parse(expires) }),
    },
  };
}

function conditionHeaders(expected: Expectation): Record<string, string> {
  if (expected === undefined) return {};
  return 'absent' in expected ? { 'If-None-Match': '*' } : { 'If-Match': `"${expected.modRevision}"` };
}

/** Writes `value` (with a TTL such as "30s" when given) if the key is still as `expected`; 412 PRECONDITION_FAILED otherwise. */
export async function putKey(
  key: string,
  value: string,
  ttl: string | undefined,
  expected: Expectation,
): Promise<void> {
  const q = ttl === undefined ? '' : `?${query({ ttl })}`;
  await call(
    `${keyPath(key)}${q}`,
    { method: 'PUT', body: value },
    { 'Content-Type': 'text/plain; charset=utf-8', ...conditionHeaders(expected) },
  );
}

/** Deletes the key if it is still as `expected`. */
export async function deleteKey(key: string, expected: Expectation): Promise<void> {
  await call(keyPath(key), { method: 'DELETE' }, conditionHeaders(expected));
}

/** GET /v1/status. */
export async function readStatus(): Promise<ServiceStatus> {
  return (await (await call('/v1/status')).json()) as ServiceStatus;
}
