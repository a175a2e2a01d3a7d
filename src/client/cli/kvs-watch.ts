import { status, type ServiceError } from '@grpc/grpc-js';
import type { WatchResponse__Output } from '../../api/generated/WatchResponse';
import type { WatchEvent__Output } from '../../api/generated/WatchEvent';
import { KvsClientError, type KvsClient } from '../kvs-client';

/** What `kvs watch` was asked for. */
export interface WatchInvocation {
  readonly prefix: string;
  /** The first revision to print; undefined: changes after the current one. */
  readonly since?: number;
  readonly json: boolean;
}

/** First pause before reconnecting; it doubles after each failed attempt up to the maximum. */
const RECONNECT_FIRST_MS = 200;
const RECONNECT_MAX_MS = 5000;

/** Statuses after which a watch can resume where it stopped: the server went away, restarted, or dropped us as slow. */
const RESUMABLE = new Set<number>([status.UNAVAILABLE, status.CANCELLED, status.UNKNOWN, status.INTERNAL]);

/**
 * `kvs watch`: prints one line per event until `signal` aborts (or the process is interrupted),
 * reconnecting by itself after a dropped connection, a server restart or a WATCH_TOO_SLOW drop,
 * from the revision after the last one it printed or was told was complete (the stream's first
 * message tells where it began), so it misses and repeats nothing. Says on `err` where each
 * connection's watch begins. Resolves 0 when aborted; rejects with a KvsClientError for a
 * failure no resume can fix (REVISION_COMPACTED, authorization, a bad request).
 */
export async function runWatch(
  client: KvsClient,
  invocation: WatchInvocation,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  signal?: AbortSignal,
): Promise<void> {
  let next = invocation.since;
  let pause = RECONNECT_FIRST_MS;
  while (!signal?.aborted) {
    const outcome = await new Promise<ServiceError | undefined>((resolve) => {
      const stream = client.watch({ prefix: invocation.prefix, start_revision: next ?? 0 });
      const stop = () => stream.cancel();
      signal?.addEventListener('abort', stop, { once: true });
      let established = false;
      stream.on('data', (response: WatchResponse__Output) => {
        pause = RECONNECT_FIRST_MS;
        const revision = Number(response.revision);
        next = revision + 1;
        if (!established) err.write(`kvs: watching from revision ${next}\n`);
        established = true;
        if (!response.heartbeat)
          for (const event of response.events) out.write(formatEvent(revision, event, invocation.json));
      });
      stream.on('error', (error: ServiceError) => {
        signal?.removeEventListener('abort', stop);
        resolve(error);
      });
      stream.on('end', () => resolve(undefined));
    });
    if (signal?.aborted) return;
    const failure = outcome === undefined ? undefined : KvsClientError.from(outcome);
    if (failure !== undefined && !RESUMABLE.has(failure.status) && failure.code !== 'WATCH_TOO_SLOW') throw failure;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, RECONNECT_MAX_MS);
  }
}

/** One event as a line: `REVISION PUT KEY VALUE` / `REVISION DELETE KEY`, or a JSON object. */
function formatEvent(revision: number, event: WatchEvent__Output, json: boolean): string {
  const entry = event.entry;
  const key = entry?.key ?? '';
  if (json) {
    return `${JSON.stringify({
      revision,
      type: event.type === 'PUT' ? 'put' : 'delete',
      key,
      value: entry?.value ?? '',
      create_revision: Number(entry?.create_revision ?? 0),
      mod_revision: Number(entry?.mod_revision ?? revision),
      version: Number(entry?.version ?? 0),
    })}\n`;
  }
  return event.type === 'PUT' ? `${revision} PUT ${key} ${entry?.value ?? ''}\n` : `${revision} DELETE ${key}\n`;
}
