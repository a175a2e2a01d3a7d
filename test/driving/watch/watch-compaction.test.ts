import { status, type ServiceError } from '@grpc/grpc-js';
import type { WatchResponse__Output } from '../../../src/api/generated/WatchResponse';
import { KvsClient, KvsClientError } from '../../../src/client/kvs-client';
import { eventually } from '../../support/eventually';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';
import { SseMessages } from '../../support/sse-messages';

/** The change revisions an SSE stream delivered so far (read as it arrives). */
function sseRevisions(response: Response): { revisions: number[]; stop: () => Promise<void> } {
  const revisions: number[] = [];
  const reader = response.body!.getReader();
  const messages = new SseMessages();
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const message of messages.push(new TextDecoder().decode(value)))
        if (message.event === 'change') revisions.push(Number(message.id));
    }
  })().catch(() => undefined);
  return { revisions, stop: () => reader.cancel().then(() => reading) };
}

describe('a log compaction while watching (file log, POST /v1/admin/compact)', () => {
  let service: InProcessService;
  let client: KvsClient;

  beforeAll(async () => {
    service = await startInProcessService({ FRONTEND_TYPE: 'rest,grpc' });
    client = new KvsClient(service.grpcAddress);
  });

  afterAll(async () => {
    client.close();
    await service.stop();
  });

  it('leaves live watchers undisturbed and refuses a start before it with REVISION_COMPACTED', async () => {
    for (let i = 0; i < 20; i++) await client.put(`c/${i % 4}`, `before ${i}`);
    const first = service.store.revision + 1;
    const sse = sseRevisions(await fetch(`${service.restUrl}/v1/watch?prefix=c/&start_revision=${first}`));
    const grpcRevisions: number[] = [];
    let grpcFailure: ServiceError | undefined;
    const stream = client.watch({ prefix: 'c/', start_revision: first });
    stream.on('data', (response: WatchResponse__Output) => {
      if (!response.heartbeat) grpcRevisions.push(Number(response.revision));
    });
    stream.on('error', (error: ServiceError) => (grpcFailure = error));
    try {
      await client.put('c/0', 'just before');
      const compacted = await fetch(`${service.restUrl}/v1/admin/compact`, { method: 'POST' });
      expect(compacted.status).toBe(200);
      const oldest = service.store.revision + 1;
      await client.put('c/1', 'just after');
      const expected = [first, first + 1];
      await eventually(() => sse.revisions.length >= 2 && grpcRevisions.length >= 2, {
        describe: () => `SSE ${sse.revisions.join(',')}; gRPC ${grpcRevisions.join(',')}`,
      });
      expect([sse.revisions, grpcRevisions, grpcFailure]).toEqual([expected, expected, undefined]);

      // A start before the compaction is gone from the log and from the history, on both transports.
      const refused = await fetch(`${service.restUrl}/v1/watch?prefix=c/&start_revision=${first}`);
      expect([refused.status, await refused.json()]).toEqual([
        410,
        { code: 'REVISION_COMPACTED', message: expect.any(String), compact_revision: oldest },
      ]);
      const error = await new Promise<ServiceError>((resolve) =>
        client.watch({ prefix: 'c/', start_revision: first }).on('error', resolve),
      );
      expect([error.code, KvsClientError.from(error).code]).toEqual([status.OUT_OF_RANGE, 'REVISION_COMPACTED']);
      expect(error.metadata.get('kvs-compact-revision')).toEqual([String(oldest)]);
      // From the oldest revision still available, a watch gets what came after the compaction.
      const resumed = sseRevisions(await fetch(`${service.restUrl}/v1/watch?prefix=c/&start_revision=${oldest}`));
      await eventually(() => resumed.revisions.length >= 1, { describe: () => resumed.revisions.join(',') });
      expect(resumed.revisions).toEqual([first + 1]);
      await resumed.stop();
    } finally {
      stream.cancel();
      await sse.stop();
    }
  });
});
