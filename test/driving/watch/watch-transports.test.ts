import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { status, type ServiceError } from '@grpc/grpc-js';
import { EventSource } from 'eventsource';
import { KvsClient, KvsClientError } from '../../../src/client/kvs-client';
import type { WatchResponse__Output } from '../../../src/api/generated/WatchResponse';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';
import { eventually } from '../../support/eventually';
import { readUntil } from '../../support/sse-messages';
import { TcpProxy } from '../../support/tcp-proxy';

/** A server-sent event as the test compares it. */
interface Received {
  readonly type: string;
  readonly id: string;
  readonly data: Record<string, unknown>;
}

/** Collects the events of an EventSource; `next(n)` waits until `n` have arrived. */
class Collector {
  readonly events: Received[] = [];
  private waiting: (() => void) | undefined;

  constructor(readonly source: EventSource) {
    for (const type of ['change', 'progress', 'error']) {
      source.addEventListener(type, (event) => {
        const message = event as unknown as { data: unknown; lastEventId: string };
        if (typeof message.data !== 'string') return; // a connection error, not a server-sent event
        this.events.push({ type, id: message.lastEventId, data: JSON.parse(message.data) as Record<string, unknown> });
        this.waiting?.();
      });
    }
  }

  async next(count: number, type = 'change'): Promise<Received[]> {
    const of = () => this.events.filter((event) => event.type === type);
    while (of().length < count) await new Promise<void>((resolve) => (this.waiting = resolve));
    return of();
  }
}

function opened(source: EventSource): Promise<void> {
  return new Promise((resolve, reject) => {
    source.onopen = () => resolve();
    source.onerror = (error) =>
      reject(new Error(`EventSource failed: ${String((error as { message?: string }).message)}`));
  });
}

/** Reads a grpc-js watch stream into an array; `until(n)` waits for n change responses. */
function grpcReader(stream: ReturnType<KvsClient['watch']>) {
  const responses: WatchResponse__Output[] = [];
  let failure: ServiceError | undefined;
  let wake: (() => void) | undefined;
  stream.on('data', (response: WatchResponse__Output) => {
    responses.push(response);
    wake?.();
  });
  stream.on('error', (error: ServiceError) => {
    failure = error;
    wake?.();
  });
  return {
    responses,
    async until(count: number): Promise<WatchResponse__Output[]> {
      const changes = () => responses.filter((response) => !response.heartbeat);
      while (changes().length < count && failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
      return changes();
    },
    async failed(): Promise<ServiceError> {
      while (failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
      return failure;
    },
  };
}

describe('watch over server-sent events and gRPC', () => {
  let service: InProcessService;
  let client: KvsClient;

  beforeAll(async () => {
    service = await startInProcessService({ KVS_WATCH_HEARTBEAT_MS: '200', KVS_WATCH_BUFFER_BYTES: '4096' });
    client = new KvsClient(service.grpcAddress);
  });

  afterAll(async () => {
    client.close();
    await service.stop();
  });

  it('SSE through EventSource: one change event per revision with its id, then a resume by Last-Event-ID', async () => {
    const start = service.store.revision + 1;
    const source = new EventSource(`${service.restUrl}/v1/watch?prefix=sse/&start_revision=${start}&prev_value=true`);
    const collector = new Collector(source);
    await opened(source);
    await client.put('sse/a', '1');
    await client.put('other', 'x');
    await client.put('sse/a', '2');
    await client.delete('sse/a');
    const changes = await collector.next(3);
    expect(changes.map((event) => Number(event.id))).toEqual([start, start + 2, start + 3]);
    expect(changes[0].data).toEqual({
      revision: start,
      events: [{ type: 'put', key: 'sse/a', value: '1', create_revision: start, mod_revision: start, version: 1 }],
    });
    expect(changes[1].data.events).toEqual([
      {
        type: 'put',
        key: 'sse/a',
        value: '2',
        create_revision: start,
        mod_revision: start + 2,
        version: 2,
        prev_entry: { key: 'sse/a', value: '1', create_revision: start, mod_revision: start, version: 1 },
      },
    ]);
    expect(changes[2].data.events).toMatchObject([
      { type: 'delete', key: 'sse/a', value: '', mod_revision: start + 3, version: 0 },
    ]);
    source.close();
    // Last-Event-ID wins over the start_revision of the original URL, as EventSource resends both.
    const resumed = await fetch(`${service.restUrl}/v1/watch?prefix=sse/&start_revision=${start}`, {
      headers: { 'Last-Event-ID': String(start + 2) },
    });
    expect(resumed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await readUntil(resumed.body!, 'event: change');
    // It opens with a progress event at the revision before its start, then goes on from there.
    expect(text).toMatch(
      new RegExp(
        `^id: ${start + 2}\nevent: progress\ndata: \\{"revision":${start + 2}\\}\n\nid: ${start + 3}\nevent: change\n`,
      ),
    );
  });

  it('SSE: EventSource reconnects by itself after a cut connection and misses nothing, repeats nothing', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(service.restUrl).port));
    const source = new EventSource(`http://127.0.0.1:${proxy.port}/v1/watch?key=cut/k`);
    const collector = new Collector(source);
    await opened(source);
    await client.put('cut/k', '1');
    await collector.next(1);
    await proxy.cut();
    await client.put('cut/k', '2');
    await client.put('cut/k', '3');
    await proxy.restore();
    const changes = await collector.next(3);
    expect(changes.map((event) => (event.data.events as { value: string }[])[0].value)).toEqual(['1', '2', '3']);
    source.close();
    await proxy.cut();
  });

  it('SSE: a connection cut before the first change resumes from the start the opening progress event gave', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(service.restUrl).port));
    const source = new EventSource(`http://127.0.0.1:${proxy.port}/v1/watch?key=early/k`);
    try {
      const collector = new Collector(source);
      const [opening] = await collector.next(1, 'progress');
      expect(Number(opening.id)).toBe(service.store.revision);
      await proxy.cut();
      await client.put('early/k', 'during the cut');
      await proxy.restore();
      const [change] = await collector.next(1);
      expect([Number(change.id), (change.data.events as { value: string }[])[0].value]).toEqual([
        Number(opening.id) + 1,
        'during the cut',
      ]);
    } finally {
      source.close();
      await proxy.cut();
    }
  });

  it('SSE: idle streams get progress events carrying the current revision; curl -N reads them', async () => {
    const curl = spawn('curl', ['-N', '-s', `${service.restUrl}/v1/watch?key=idle`]);
    let output = '';
    curl.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.includes('event: progress')) await new Promise((resolve) => setTimeout(resolve, 20));
    curl.kill();
    expect(output).toMatch(new RegExp(`^id: (\\d+)\nevent: progress\ndata: \\{"revision":\\1\\}\n\n`));
    expect(Number(/^id: (\d+)/.exec(output)![1])).toBe(service.store.revision);
  });

  it('SSE refusals: a compacted start is 410 with compact_revision; a bad selector is 400', async () => {
    await client.put('old', 'v');
    service.watches.service.hub.compact(service.store.revision);
    const compacted = await fetch(`${service.restUrl}/v1/watch?prefix=&start_revision=1`);
    expect(compacted.status).toBe(410);
    expect(await compacted.json()).toEqual({
      code: 'REVISION_COMPACTED',
      message: expect.any(String),
      compact_revision: service.store.revision,
    });
    for (const query of ['key=a&prefix=b', 'start_revision=x&key=a', 'prefix=a&prefix=b', 'key=']) {
      const bad = await fetch(`${service.restUrl}/v1/watch?${query}`);
      expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([
        400,
        expect.stringMatching(/^INVALID_/),
      ]);
    }
  });

  it('gRPC: one WatchResponse per revision, a transaction whole, heartbeats while idle', async () => {
    const start = service.store.revision + 1;
    const reader = grpcReader(client.watch({ prefix: 'g/', start_revision: start, prev_value: true }));
    await client.put('g/1', 'a');
    await service.store.txn({
      compare: [],
      success: [
        { type: 'put', key: 'g/2', value: 'b' },
        { type: 'delete', key: 'g/1' },
        { type: 'put', key: 'elsewhere', value: 'c' },
      ],
      failure: [],
    });
    const [first, second] = await reader.until(2);
    expect(first).toMatchObject({
      revision: String(start),
      heartbeat: false,
      events: [
        {
          type: 'PUT',
          entry: { key: 'g/1', value: 'a', create_revision: String(start), version: '1' },
          prev_entry: null,
        },
      ],
    });
    expect(second.revision).toBe(String(start + 1));
    expect(second.events.map((event) => [event.type, event.entry?.key, event.prev_entry?.value])).toEqual([
      ['PUT', 'g/2', undefined],
      ['DELETE', 'g/1', 'a'],
    ]);
    // The stream opened with a heartbeat at the revision before its start. Another may come before
    // the first write (a loaded machine can take longer than the 200 ms interval): the one to check
    // follows the changes.
    expect(reader.responses[0]).toMatchObject({ heartbeat: true, revision: String(start - 1), events: [] });
    const afterChanges = () => reader.responses.slice(reader.responses.indexOf(second) + 1);
    await eventually(() => afterChanges().some((response) => response.heartbeat), {
      describe: () => `${reader.responses.length} responses`,
    });
    expect(afterChanges().find((response) => response.heartbeat)?.revision).toBe(String(service.store.revision));
  });

  it('gRPC: a compacted start fails with OUT_OF_RANGE, REVISION_COMPACTED and kvs-compact-revision', async () => {
    await client.put('old', 'w');
    service.watches.service.hub.compact(service.store.revision);
    const error = await grpcReader(client.watch({ prefix: '', start_revision: 1 })).failed();
    expect(error.code).toBe(status.OUT_OF_RANGE);
    expect(KvsClientError.from(error).code).toBe('REVISION_COMPACTED');
    expect(error.metadata.get('kvs-compact-revision')).toEqual([String(service.store.revision)]);
  });

  it('gRPC: a client that stops reading is dropped with WATCH_TOO_SLOW; writes and other watchers go on', async () => {
    const start = service.store.revision + 1;
    const stream = client.watch({ key: 'slow', start_revision: start });
    const slow = grpcReader(stream);
    const healthy = grpcReader(client.watch({ key: 'slow', start_revision: start }));
    await client.put('slow', 'first');
    await Promise.all([slow.until(1), healthy.until(1)]);
    stream.pause();
    // Its status cannot reach it while it does not read; the server's count of watches shows the drop.
    const open = service.watches.service.size;
    const dropped = () => service.watches.service.size < open;
    // The socket and HTTP/2 windows take a few MiB before the server's own buffer fills: write until then (bounded).
    const value = 'v'.repeat(64 * 1024);
    let writes = 0;
    while (!dropped() && writes < 1000) {
      await client.put('slow', value);
      writes++;
    }
    expect(dropped()).toBe(true);
    expect((await healthy.until(writes + 1)).length).toBe(writes + 1);
    stream.resume();
    const error = await slow.failed();
    expect([error.code, KvsClientError.from(error).code]).toEqual([status.RESOURCE_EXHAUSTED, 'WATCH_TOO_SLOW']);
    // It got a prefix of the history, in order, and may resume after its last revision.
    const got = (await slow.until(writes + 1)).map((response) => Number(response.revision));
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => start + i));
    expect(got.length).toBeLessThan(writes);
  });

  it('SSE: a client that stops reading is dropped and its connection closed; writes go on', async () => {
    const socket = connect(Number(new URL(service.restUrl).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const before = service.watches.service.size;
    socket.write('GET /v1/watch?key=sse-slow HTTP/1.1\r\nHost: x\r\n\r\n');
    while (service.watches.service.size === before) await new Promise((resolve) => setTimeout(resolve, 10));
    socket.pause();
    const value = 'v'.repeat(64 * 1024);
    let writes = 0;
    while (service.watches.service.size > before && writes < 1000) {
      await client.put('sse-slow', value);
      writes++;
    }
    expect(service.watches.service.size).toBe(before);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.resume();
    socket.on('data', () => undefined);
    await closed;
  });

  it('metrics: watchers by transport, events delivered, drops by reason, delivery lag', async () => {
    const text = await (await fetch(`${service.restUrl}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    expect(value(/^kvs_watchers\{transport="grpc"\} (\d+)/m)).toBeGreaterThan(0);
    expect(value(/^kvs_watch_events_delivered_total\{transport="rest"\} (\d+)/m)).toBeGreaterThan(3);
    expect(value(/^kvs_watch_events_delivered_total\{transport="grpc"\} (\d+)/m)).toBeGreaterThan(3);
    expect(value(/^kvs_watchers_dropped_total\{reason="too_slow"\} (\d+)/m)).toBe(2);
    expect(value(/^kvs_watch_delivery_lag_seconds_count\{transport="grpc"\} (\d+)/m)).toBeGreaterThan(3);
  });
});

describe('watch streams at shutdown', () => {
  it('end at once, not held for the grace period: SSE after a final progress event, gRPC with UNAVAILABLE', async () => {
    const service = await startInProcessService({});
    const client = new KvsClient(service.grpcAddress);
    await client.put('k', 'v');
    const sse = await fetch(`${service.restUrl}/v1/watch?key=k`);
    const grpc = grpcReader(client.watch({ key: 'k' }));
    while (service.watches.service.size < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    // The frontends' grace period is 10 s, twice this test's timeout: the streams must not wait for it.
    await service.stop();
    const text = await sse.text();
    const progress = `id: ${service.store.revision}\nevent: progress\ndata: {"revision":${service.store.revision}}\n\n`;
    // The opening progress event, then the final one.
    expect(text).toBe(progress + progress);
    expect((await grpc.failed()).code).toBe(status.UNAVAILABLE);
    client.close();
  });
});
