import { PassThrough } from 'node:stream';
import { runKvsCli } from '../../src/client/cli/kvs';
import { KvsClient } from '../../src/client/kvs-client';
import { eventually } from '../support/eventually';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { TcpProxy } from '../support/tcp-proxy';

/** Runs `kvs watch ...` in this process until `stop()`; `lines` are what it printed so far. */
function watchCli(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let printed = '';
  let errors = '';
  stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const abort = new AbortController();
  const exit = runKvsCli(['watch', ...args], {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: {},
    signal: abort.signal,
  });
  return {
    exit,
    lines: () => printed.split('\n').filter((line) => line !== ''),
    errors: () => errors,
    async until(count: number) {
      while (this.lines().length < count) await new Promise((resolve) => setTimeout(resolve, 20));
      return this.lines();
    },
    stop: () => abort.abort(),
  };
}

describe('kvs watch', () => {
  let service: InProcessService;
  let writer: KvsClient;

  beforeAll(async () => {
    service = await startInProcessService({});
    writer = new KvsClient(service.grpcAddress);
  });

  afterAll(async () => {
    writer.close();
    await service.stop();
  });

  it('prints one line per event under the prefix from --since, and JSON with --json', async () => {
    const since = service.store.revision + 1;
    await writer.put('w/a', 'one');
    await writer.put('other', 'x');
    await writer.delete('w/a');
    const text = watchCli(['--address', service.grpcAddress, '--prefix', 'w/', '--since', String(since)]);
    expect(await text.until(2)).toEqual([`${since} PUT w/a one`, `${since + 2} DELETE w/a`]);
    text.stop();
    expect(await text.exit).toBe(0);
    const json = watchCli(['--address', service.grpcAddress, '--prefix', 'w/', '--since', String(since), '--json']);
    const [first] = await json.until(2);
    expect(JSON.parse(first)).toEqual({
      revision: since,
      type: 'put',
      key: 'w/a',
      value: 'one',
      create_revision: since,
      mod_revision: since,
      version: 1,
    });
    json.stop();
    expect(await json.exit).toBe(0);
  });

  it('resumes by itself after a dropped connection, missing and repeating nothing', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(service.grpcAddress.split(':')[1]));
    const since = service.store.revision + 1;
    const cli = watchCli(['--address', `127.0.0.1:${proxy.port}`, '--prefix', 'r/', '--since', String(since)]);
    await writer.put('r/k', '1');
    await cli.until(1);
    await proxy.cut();
    await writer.put('r/k', '2');
    await writer.put('r/k', '3');
    await proxy.restore();
    expect(await cli.until(3)).toEqual([`${since} PUT r/k 1`, `${since + 1} PUT r/k 2`, `${since + 2} PUT r/k 3`]);
    cli.stop();
    expect(await cli.exit).toBe(0);
    await proxy.cut();
  });

  it('without --since, a connection dropped before the first event resumes from where the watch began', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(service.grpcAddress.split(':')[1]));
    const start = service.store.revision + 1;
    const cli = watchCli(['--address', `127.0.0.1:${proxy.port}`, '--prefix', 'first/']);
    const established = () => cli.errors().split(`kvs: watching from revision ${start}\n`).length - 1;
    try {
      // The watch is live from the revision after the current one: a write now belongs to it, even across a cut.
      await eventually(() => established() === 1, { describe: () => cli.errors() });
      await proxy.cut();
      await writer.put('first/k', 'during the cut');
      await proxy.restore();
      await eventually(() => established() === 2, { describe: () => cli.errors() });
      await writer.put('first/k', 'after');
      await eventually(() => cli.lines().some((line) => line.endsWith(' after')), {
        describe: () => cli.lines().join('|'),
      });
      expect(cli.lines()).toEqual([`${start} PUT first/k during the cut`, `${start + 1} PUT first/k after`]);
    } finally {
      cli.stop();
      await proxy.cut();
    }
    expect(await cli.exit).toBe(0);
  });

  it('stops with exit 4 when it cannot resume without a gap (REVISION_COMPACTED)', async () => {
    await writer.put('c', 'v');
    service.watches.service.hub.compact(service.store.revision);
    const cli = watchCli(['--address', service.grpcAddress, '--since', '1']);
    expect(await cli.exit).toBe(4);
    expect(cli.errors()).toMatch(/^kvs: watch failed: OUT_OF_RANGE: revision compacted/);
  });

  it('refuses bad options with exit 2', async () => {
    for (const args of [['--since', 'x'], ['--since', '0'], ['--prefix', 'a', '--prefix', 'b'], ['key']]) {
      const cli = watchCli(args);
      expect([args, await cli.exit]).toEqual([args, 2]);
    }
  });
});
