import { Agent, request } from 'node:http';
import { benchKey, benchValue } from './workload';

/** Concurrent PUT loops: enough for group commit to batch, few enough to stay on loopback. */
const CONCURRENCY = 64;

/**
 * PUTs a new value of the same size over each of the keys 0..keys-1 once, through the REST API
 * of a running service, and resolves when all are acknowledged. Shows how memory behaves when
 * every stored string is replaced (the old ones become garbage) rather than freshly loaded.
 */
export async function overwriteEveryKey(host: string, port: number, keys: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < keys) {
      const index = next++;
      await put(agent, host, port, benchKey(index), benchValue(index + keys));
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  } finally {
    agent.destroy();
  }
}

function put(agent: Agent, host: string, port: number, key: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, agent, method: 'PUT', path: `/v1/key/${key}` }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 201 ? resolve() : reject(new Error(`PUT ${key}: status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(value);
  });
}
