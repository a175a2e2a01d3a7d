import { eventually } from './eventually';
import { SseMessages } from './sse-messages';
import type { TestPostgres } from './test-postgres';

/** One revision as the table holds it, or as a watcher received it: its events, in order. */
export type History = Map<number, string[]>;

/** A row of the log table, as the checker replays it. */
interface Row {
  readonly revision: string;
  readonly event_type: 'put' | 'delete';
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** What a watch of every key on one replica received. */
export interface WatchRecording {
  /** Each revision's events, as delivered. */
  readonly history: History;
  /** Revisions delivered more than once (there must be none). */
  readonly duplicates: number[];
  /** The `event: error` that ended the stream, when one did (e.g. REVISION_COMPACTED). */
  readonly ended: () => { code: string; compact_revision?: number } | undefined;
  stop(): void;
}

/** A watch of every key from `startRevision` (default 1) on a replica, collecting each revision's events. */
export function watchAll(url: string, startRevision = 1): WatchRecording {
  const history: History = new Map();
  const duplicates: number[] = [];
  let ended: { code: string; compact_revision?: number } | undefined;
  const controller = new AbortController();
  void (async () => {
    const response = await fetch(`${url}/v1/watch?prefix=&start_revision=${startRevision}`, {
      signal: controller.signal,
    });
    const messages = new SseMessages();
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      for (const message of messages.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
        if (message.event === 'error') ended = JSON.parse(message.data!) as typeof ended;
        if (message.event !== 'change') continue;
        const data = JSON.parse(message.data!) as {
          revision: number;
          events: { type: string; key: string; value?: string }[];
        };
        if (history.has(data.revision)) duplicates.push(data.revision);
        history.set(data.revision, data.events.map(eventText));
      }
    }
  })().catch(() => undefined);
  return { history, duplicates, ended: () => ended, stop: () => controller.abort() };
}

function eventText(event: { type: string; key: string; value?: string }): string {
  return event.type === 'put' ? `put ${event.key}=${event.value}` : `delete ${event.key}`;
}

/** The table's history replayed: every revision's events, and the state they leave. */
export async function replayTable(postgres: TestPostgres, table: string) {
  const { rows } = await postgres.query<Row>(
    `SELECT revision, event_type, key, value FROM "${table}" ORDER BY revision, sequence`,
  );
  const history: History = new Map();
  const state = new Map<string, string>();
  for (const row of rows) {
    const revision = Number(row.revision);
    if (row.key[0] === 0xff) continue; // a lease's row or a compaction marker: no client key starts with 0xFF
    const key = row.key.toString('utf8');
    const value = row.value?.toString('utf8');
    history.set(revision, [...(history.get(revision) ?? []), eventText({ type: row.event_type, key, value })]);
    if (row.event_type === 'put') state.set(key, value!);
    else state.delete(key);
  }
  return { history, state, head: Math.max(0, ...history.keys()) };
}

/** Every key and value a replica holds, page by page at one revision, and that revision. */
export async function stateOf(url: string): Promise<{ revision: number; state: Map<string, string> }> {
  for (;;) {
    const state = new Map<string, string>();
    let revision: number | undefined;
    let after: string | null = '';
    while (after !== null) {
      const query = after === '' ? '' : `&start_after=${encodeURIComponent(after)}`;
      const page = (await (await fetch(`${url}/v1/keys?prefix=&limit=1000${query}`)).json()) as {
        revision: number;
        items: { key: string; value: string }[];
        next_start_after: string | null;
      };
      // A write between two pages: read them all again, at one revision.
      if (revision !== undefined && page.revision !== revision) break;
      revision = page.revision;
      for (const item of page.items) state.set(item.key, item.value);
      after = page.next_start_after;
    }
    if (after === null) return { revision: revision!, state };
  }
}

/** Waits until the replica at `url` is at `head`, then expects its state to be `state`. */
export async function expectReplicaHolds(url: string, head: number, state: Map<string, string>): Promise<void> {
  await eventually(async () => (await stateOf(url)).revision >= head, {
    describe: () => `${url} at the head ${head}`,
    timeoutMs: 15_000,
  });
  expect(Object.fromEntries((await stateOf(url)).state)).toEqual(Object.fromEntries(state));
}

/** Waits until the watch has every revision of `history` (no more), then expects it to equal it, with no duplicate. */
export async function expectWatched(watch: WatchRecording, history: History, name: string): Promise<void> {
  await eventually(() => watch.history.size >= history.size, {
    describe: () =>
      `${name}'s watcher: ${watch.history.size} of ${history.size} revisions` +
      ` (missing ${[...history.keys()].filter((revision) => !watch.history.has(revision)).join(', ')})`,
    timeoutMs: 15_000,
  });
  expect({ name, duplicates: watch.duplicates }).toEqual({ name, duplicates: [] });
  expect(new Map([...watch.history].sort(([a], [b]) => a - b))).toEqual(history);
}
