import type { Operation } from '../operations/operation';
import { requestIdFrom } from './request-id';

/** What a verified token allows. */
export interface Principal {
  readonly subject?: string;
  readonly scopes: ReadonlySet<string>;
  /** When present, the only key prefixes the token may touch (claim `kvs_prefixes`). */
  readonly prefixes?: readonly string[];
  /** When the token expires (ms since the epoch, claim `exp`): long-lived streams end then. */
  readonly expiresAt?: number;
}

/** What a transport adapter knows about a request when it starts (headers or metadata, not the body). */
export interface CallStart {
  /** The transport's short name, e.g. 'rest' or 'grpc'. */
  readonly transport: string;
  readonly operation: Operation;
  /** The `Authorization` value the client sent, if any. */
  readonly authorization: string | undefined;
  /**
   * The caller when no token names one: `cert:<subject>` for a verified client certificate, else
   * `addr:<remote address>`. A function, as reading a certificate costs more than most requests.
   */
  readonly peer: () => string;
  /** When the client stops waiting (ms since the epoch), if it said. */
  readonly deadline?: number;
  /** The transport's verb: the HTTP method, or the RPC's method name. */
  readonly method: string;
  /** The route template ('/v1/key/:key') or the RPC path ('/KeyValue/Get'), once known. */
  readonly route?: string;
  /** The request id the client sent (`x-request-id` header or metadata), if any; used when valid. */
  readonly suppliedRequestId?: unknown;
}

/** How a call ended, as the transport adapter reports it to the observers. */
export interface CallOutcome {
  /** The HTTP status, or the gRPC status name ('OK', 'NOT_FOUND'...). */
  readonly status: number | string;
  /** Whether the server failed rather than the client (5xx; INTERNAL, UNAVAILABLE...). */
  readonly serverFault: boolean;
  /** False when the client went away before an answer was sent (cancelled, connection closed). */
  readonly answered: boolean;
  /** Bytes sent to the client, headers included, where the transport knows them (REST) and an observer asked (`Call.readsBytesOut`). */
  readonly bytesOut?: number;
}

/**
 * The transport-neutral description of one request, which every policy and observer of the
 * pipeline reads: its operation, its key, its caller, its deadline, its request id and, once it
 * ended, its outcome. Built by the transport's adapter; the policies write only the principal and
 * what must happen when the call ends.
 */
export class Call {
  readonly transport: string;
  readonly operation: Operation;
  readonly authorization: string | undefined;
  readonly deadline: number | undefined;
  readonly method: string;
  /** The route template or RPC path; the REST adapter may learn it only at the end (a 405's route). */
  route: string | undefined;
  /** When the transport handed the call over (a performance.now() reading). */
  readonly startedAt = performance.now();
  /** How the call ended; undefined until it has. */
  outcome: CallOutcome | undefined;
  /** The verified token's principal, once authentication accepted one. */
  principal: Principal | undefined;
  /** The key the request touches; meaningful once `keyKnown`. Undefined then: undecodable. */
  key: string | undefined;
  /** Whether the key is known yet (a REST path has it at once, a gRPC call once its message arrives). */
  keyKnown = false;
  /**
   * Whether an observer reads the outcome's `bytesOut` (set in `observe`): the REST adapter then
   * counts the bytes sent, which costs two reads of the socket's byte count per request.
   */
  readsBytesOut = false;
  private readonly peer: () => string;
  private readonly suppliedRequestId: unknown;
  private id: string | undefined;
  private endings: ((call: Call) => void)[] | undefined;

  constructor(start: CallStart) {
    this.transport = start.transport;
    this.operation = start.operation;
    this.authorization = start.authorization;
    this.peer = start.peer;
    this.deadline = start.deadline;
    this.method = start.method;
    this.route = start.route;
    this.suppliedRequestId = start.suppliedRequestId;
  }

  /**
   * The request id: the client's if usable, else a fresh one. Made when first asked for (by an
   * observer), as a random id costs; the adapter returns it to the client once it exists.
   */
  get requestId(): string {
    return (this.id ??= requestIdFrom(this.suppliedRequestId));
  }

  /** Whether anything asked for the request id, so that the transport returns it. */
  get hasRequestId(): boolean {
    return this.id !== undefined;
  }

  /**
   * Who is calling, as one string for authorization logs and rate limits: the verified token's
   * subject, else the peer. The prefixes keep the namespaces apart, so a token whose `sub` is
   * "127.0.0.1" does not share a bucket with that address.
   */
  get caller(): string {
    const subject = this.principal?.subject;
    return subject !== undefined ? `sub:${subject}` : this.peer();
  }

  /** The key is known: `key` is its text, undefined when it cannot be decoded. */
  knowKey(key: string | undefined): void {
    this.key = key;
    this.keyKnown = true;
  }

  /** Whether a policy asked to be told when the call ends. */
  get hasEndings(): boolean {
    return this.endings !== undefined;
  }

  /**
   * Runs `ending` (given this call) once when the call ends (answered, refused or cancelled).
   * Policies call it synchronously within `admit`, before any promise they return.
   */
  atEnd(ending: (call: Call) => void): void {
    (this.endings ??= []).push(ending);
  }

  /**
   * The call has ended with `outcome`; the transport adapter calls this once, or more (only the
   * first counts), and the endings then read the outcome.
   */
  end(outcome: CallOutcome): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    const endings = this.endings;
    this.endings = undefined;
    if (endings) for (const ending of endings) ending(this);
  }
}

/** A certificate subject as "CN=alice,O=example", or undefined when there is none. */
export function certificateSubject(
  subject: Readonly<Record<string, string | string[] | undefined>> | undefined,
): string | undefined {
  if (subject === undefined || Object.keys(subject).length === 0) return undefined;
  return Object.entries(subject)
    .map(([field, value]) => `${field}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(',');
}
