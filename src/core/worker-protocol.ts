import * as errors from './errors';
import type { LogRecord } from './events';
import type { LeaseGrant } from './lease-table';
import type { LogHealth } from './log-health';
import type { KeyEntry } from './ordered-index';

/**
 * The messages between the owner process (it holds the transaction log) and its workers (they
 * serve clients from replicas) over node:cluster's IPC channel: docs/workers.md. Every message
 * carries `kvs`, its type, so that the other users of the channel (prom-client, rate-limiter-
 * flexible) and ours never mistake each other's messages.
 */

/**
 * What a worker asks the owner; each is answered by one reply with the same id. A worker sends
 * the requests of one event-loop turn as one `requests` message: per message, not per byte, is
 * what the channel costs (docs/workers.md).
 */
export type WorkerRequest =
  | { readonly id: number; readonly op: WriteOp; readonly args: readonly unknown[] }
  | { readonly id: number; readonly op: 'head' | 'metrics'; readonly args: readonly [] };

/** The owner's answer to one request: its value, or the error it failed with. */
export type WorkerReply =
  { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: SerializedError };

/** The store operations a worker forwards (WriteOwner's methods). */
export type WriteOp =
  'put' | 'delete' | 'deleteRange' | 'txn' | 'grantLease' | 'revokeLease' | 'keepAliveLease' | 'compact';

/** Every message a worker sends. */
export type WorkerMessage =
  | { readonly kvs: 'requests'; readonly requests: readonly WorkerRequest[] }
  /** Sent once the worker's process is up: the owner answers with the snapshot, then the records after it. */
  | { readonly kvs: 'hello' }
  /** Sent once every frontend of the worker listens, with where each does (the owner's start-up line says it). */
  | { readonly kvs: 'listening'; readonly listening: readonly ListeningFrontend[] }
  /** The answer to a `metrics-request`: the worker's registry as prom-client's getMetricsAsJSON gives it. */
  | { readonly kvs: 'metrics'; readonly id: number; readonly metrics: readonly unknown[] };

/** Where one frontend of a worker listens (every worker listens on the same ports). */
export interface ListeningFrontend {
  readonly frontend: string;
  readonly host: string;
  readonly port: number;
}

/** Every message the owner sends. */
export type OwnerMessage =
  | {
      readonly kvs: 'snapshot';
      /** The store revision the whole snapshot reflects (on the last chunk). */
      readonly revision: number;
      readonly entries: readonly KeyEntry[];
      readonly leases: readonly LeaseGrant[];
      readonly health: LogHealth;
      /** The last chunk: the records after it follow. */
      readonly done: boolean;
    }
  /**
   * Durable records, in revision order (what the worker's replica applies), then the replies
   * they decided: the owner sends each worker one batch per event-loop turn (a group commit's
   * records and answers), and the worker applies the records before it reads the replies.
   */
  | { readonly kvs: 'batch'; readonly records: readonly LogRecord[]; readonly replies: readonly WorkerReply[] }
  | { readonly kvs: 'health'; readonly health: LogHealth }
  /** A lease a keepalive renewed (keepalives are not logged): every replica renews it too. */
  | { readonly kvs: 'keepalive'; readonly id: number }
  /** The owner gathers the whole service's metrics (one scrape shows every process). */
  | { readonly kvs: 'metrics-request'; readonly id: number };

/** An error as it crosses the channel: the core's errors come back as the same classes. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** One end of the IPC channel (the owner's end of one worker's, or a worker's end). */
export interface MessageChannel {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the other end is gone (its process died or the channel closed). */
  onClose(listener: () => void): void;
}

/** Entries per snapshot chunk: a million-key store goes as a hundred messages, not one of hundreds of MB. */
export const SNAPSHOT_CHUNK_ENTRIES = 10_000;

/** Whether `message` is one of ours (and not prom-client's or rate-limiter-flexible's). */
export function isKvsMessage(message: unknown): message is { readonly kvs: string } {
  return typeof message === 'object' && message !== null && typeof (message as { kvs?: unknown }).kvs === 'string';
}

/** A class of the core's errors: its prototype is what a rebuilt error gets. */
interface ErrorClass {
  readonly name: string;
  readonly prototype: errors.KvsError;
}

/** The core's error classes by name: what an owner's error is rebuilt as. */
const ERROR_CLASSES: ReadonlyMap<string, ErrorClass> = new Map(
  (Object.values(errors) as unknown[])
    .filter(
      (value): value is ErrorClass =>
        typeof value === 'function' && (value as ErrorClass).prototype instanceof errors.KvsError,
    )
    .map((errorClass) => [errorClass.name, errorClass]),
);

/** What crosses the channel of an error (a promise such as OutcomeUnknownError's outcome stays behind). */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(error)) if (!(value instanceof Promise)) fields[name] = value;
  return { name: error.name, message: error.message, fields };
}

/** The error again: the same core class with the same fields, or a plain Error for anything else. */
export function deserializeError({ name, message, fields }: SerializedError): Error {
  const errorClass = ERROR_CLASSES.get(name);
  if (errorClass === undefined) return new Error(message);
  const error = Object.create(errorClass.prototype) as errors.KvsError;
  Object.assign(error, fields, { message });
  Object.defineProperty(error, 'stack', { value: `${name}: ${message} (from the owner process)`, writable: true });
  return error;
}
