import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { runService } from '../support/service-process';
import { useTempDir } from '../support/temp-dir';

/** A real listener holding a free port on loopback, as another program would. */
function occupyPort(): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * A port another process holds is a configuration mistake: the service says which variable
 * chose it in one line on stderr (no JSON, no stack) and exits 2, like every config error.
 */
describe('a port already in use', () => {
  const dir = useTempDir('port-in-use');
  let holder: Server;
  let port: number;

  beforeEach(async () => {
    holder = await occupyPort();
    port = (holder.address() as AddressInfo).port;
  });

  afterEach(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it.each(['KVS_HTTP_PORT', 'KVS_GRPC_PORT', 'KVS_ADMIN_PORT'])(
    '%s: exits 2 with one line naming the variable and the port',
    async (variable) => {
      const result = await runService({
        TLOG_FILENAME: join(dir.path, 'transactions.log'),
        KVS_ADMIN_PORT: '0',
        [variable]: String(port),
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([`kvs: config: ${variable}=${port}: address already in use`]);
      expect(result.stdout).not.toContain('EADDRINUSE');
    },
  );
});
