import { status, type ServiceError } from '@grpc/grpc-js';
import { KvsClient, KvsClientError } from '../../src/client/kvs-client';
import { send } from '../support/http-request';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { readUntil } from '../support/sse-messages';
import { confusedToken, goodClaims, hmacSetup, rsaSetup, unsignedToken, type KeySetup } from './jwt-fixtures';

/**
 * The authorization matrix, on real sockets, for both frontends and both kinds of key:
 * {token} × {GET, PUT, DELETE, WATCH} × {key inside the token's prefix, key outside it}. Every cell
 * has its expected outcome, and after every refused cell the values are read back with an
 * admin token: no refused request changed or revealed anything.
 */

type Operation = 'GET' | 'PUT' | 'DELETE' | 'WATCH';
type Outcome = 'ok' | 'unauthenticated' | 'forbidden';

const ALLOWED_KEY = 'team-a/k1';
const OUTSIDE_KEY = 'team-b/k1';
const ORIGINAL: Record<string, string> = { [ALLOWED_KEY]: 'secret value A', [OUTSIDE_KEY]: 'secret value B' };
const OPERATIONS: Operation[] = ['GET', 'PUT', 'DELETE', 'WATCH'];
const KEYS = [ALLOWED_KEY, OUTSIDE_KEY];
const NEW_VALUE = 'written by the cell';

/** A token case: how to make it and which operations it may do on which keys. */
interface TokenCase {
  readonly name: string;
  make(setup: KeySetup): Promise<string | undefined>;
  /** undefined: the token is not valid at all (401 for every cell). */
  readonly scopes?: readonly string[];
  readonly prefixes?: readonly string[];
}

const hour = 3600;
const now = (): number => Math.floor(Date.now() / 1000);

const TOKEN_CASES: TokenCase[] = [
  { name: 'no token', make: () => Promise.resolve(undefined) },
  { name: 'malformed', make: () => Promise.resolve('this.is-not.a-jwt') },
  { name: 'bad signature', make: (s) => s.signWithOtherKey(goodClaims({ scope: 'kvs:read kvs:write' })) },
  { name: 'expired', make: (s) => s.sign(goodClaims({ scope: 'kvs:read kvs:write', exp: now() - hour })) },
  { name: 'not yet valid', make: (s) => s.sign(goodClaims({ scope: 'kvs:read kvs:write', nbf: now() + hour })) },
  { name: 'wrong issuer', make: (s) => s.sign(goodClaims({ scope: 'kvs:read kvs:write', iss: 'https://evil' })) },
  { name: 'wrong audience', make: (s) => s.sign(goodClaims({ scope: 'kvs:read kvs:write', aud: 'other' })) },
  { name: 'no exp', make: (s) => s.sign({ ...goodClaims({ scope: 'kvs:read kvs:write' }), exp: undefined }) },
  { name: 'alg none', make: () => Promise.resolve(unsignedToken(goodClaims({ scope: 'kvs:read kvs:write' }))) },
  {
    name: 'HS256 signed with the public key bytes',
    make: (s) => confusedToken(goodClaims({ scope: 'kvs:read kvs:write' }), s.publicKeyBytes),
  },
  { name: 'read-only', make: (s) => s.sign(goodClaims({ scope: 'kvs:read' })), scopes: ['kvs:read'] },
  { name: 'write-only', make: (s) => s.sign(goodClaims({ scope: 'kvs:write' })), scopes: ['kvs:write'] },
  {
    name: 'prefix-restricted',
    make: (s) => s.sign(goodClaims({ scope: 'kvs:read kvs:write', kvs_prefixes: ['team-a/'] })),
    scopes: ['kvs:read', 'kvs:write'],
    prefixes: ['team-a/'],
  },
  {
    name: 'full',
    make: (s) => s.sign(goodClaims({ scope: 'kvs:read kvs:write' })),
    scopes: ['kvs:read', 'kvs:write'],
  },
];

function expected(token: TokenCase, operation: Operation, key: string): Outcome {
  if (token.scopes === undefined) return 'unauthenticated';
  const needed = operation === 'GET' || operation === 'WATCH' ? 'kvs:read' : 'kvs:write';
  if (!token.scopes.includes(needed)) return 'forbidden';
  if (token.prefixes && !token.prefixes.some((prefix) => key.startsWith(prefix))) return 'forbidden';
  return 'ok';
}

/** One frontend as the matrix sees it: an operation with a token, and its outcome. */
interface Transport {
  readonly name: string;
  /** Performs the operation; returns the outcome and anything the response carried back. */
  perform(token: string | undefined, operation: Operation, key: string): Promise<{ outcome: Outcome; text: string }>;
  close(): void;
}

function restTransport(service: InProcessService): Transport {
  return {
    name: 'REST',
    async perform(token, operation, key) {
      if (operation === 'WATCH') return restWatch(service, token, key);
      const answer = await send(`${service.restUrl}/v1/key/${encodeURIComponent(key)}`, {
        method: operation,
        headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
        body: operation === 'PUT' ? NEW_VALUE : undefined,
      });
      const text = `${answer.status} ${JSON.stringify(answer.headers)} ${answer.body}`;
      if (answer.status === 401) {
        expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="kvs"/);
        if (token !== undefined) expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'UNAUTHENTICATED' });
        return { outcome: 'unauthenticated', text };
      }
      if (answer.status === 403) {
        expect(answer.headers['www-authenticate']).toContain('error="insufficient_scope"');
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'PERMISSION_DENIED' });
        return { outcome: 'forbidden', text };
      }
      expect(answer.status).toBe({ GET: 200, PUT: 201, DELETE: 200 }[operation]);
      return { outcome: 'ok', text };
    },
    close: () => undefined,
  };
}

function grpcTransport(service: InProcessService): Transport {
  const clients = new Map<string, KvsClient>();
  const clientFor = (token: string | undefined): KvsClient => {
    const id = token ?? '';
    let client = clients.get(id);
    if (!client) {
      client = new KvsClient(service.grpcAddress, { timeoutMs: 10_000 }, { token });
      clients.set(id, client);
    }
    return client;
  };
  return {
    name: 'gRPC',
    async perform(token, operation, key) {
      const client = clientFor(token);
      try {
        if (operation === 'WATCH') return { outcome: 'ok', text: await grpcWatch(service, client, key) };
        if (operation === 'GET') return { outcome: 'ok', text: await client.get(key) };
        if (operation === 'PUT') await client.put(key, NEW_VALUE);
        else await client.delete(key);
        return { outcome: 'ok', text: '' };
      } catch (error) {
        if (!(error instanceof KvsClientError)) throw error;
        const text = `${error.status} ${error.details}`;
        if (error.status === status.UNAUTHENTICATED && error.code === 'UNAUTHENTICATED') {
          return { outcome: 'unauthenticated', text };
        }
        if (error.status === status.PERMISSION_DENIED && error.code === 'PERMISSION_DENIED') {
          return { outcome: 'forbidden', text };
        }
        throw error;
      }
    },
    close: () => clients.forEach((client) => client.close()),
  };
}

/** The first event of a watch of `key` from its current revision: its current value, if the token may watch it. */
async function restWatch(service: InProcessService, token: string | undefined, key: string) {
  const start = service.store.getEntry(key).modRevision;
  const answer = await fetch(`${service.restUrl}/v1/watch?key=${encodeURIComponent(key)}&start_revision=${start}`, {
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
  if (answer.status !== 200) {
    const body = await answer.text();
    const code = (JSON.parse(body) as { code: string }).code;
    const outcome: Outcome = answer.status === 401 && code === 'UNAUTHENTICATED' ? 'unauthenticated' : 'forbidden';
    if (outcome === 'forbidden') expect([answer.status, code]).toEqual([403, 'PERMISSION_DENIED']);
    return { outcome, text: `${answer.status} ${body}` };
  }
  // The stream opens with a progress event; read on to the first change.
  const text = await readUntil(answer.body!, 'event: change');
  return { outcome: 'ok' as const, text: text.slice(text.indexOf('event: change')) };
}

/** The same over gRPC: the first WatchResponse's value, or the stream's failure (thrown as KvsClientError). */
function grpcWatch(service: InProcessService, client: KvsClient, key: string): Promise<string> {
  const stream = client.watch({ key, start_revision: service.store.getEntry(key).modRevision });
  return new Promise((resolve, reject) => {
    stream.on('data', (response: { heartbeat: boolean; events: { entry?: { value: string } | null }[] }) => {
      if (response.heartbeat) return; // the stream opens with one
      resolve(response.events[0]?.entry?.value ?? '');
      stream.cancel();
    });
    stream.once('error', (error: ServiceError) => reject(KvsClientError.from(error)));
  });
}

describe.each([
  ['RS256 public key', rsaSetup],
  ['HS256 JWT_KEY', hmacSetup],
])('authorization matrix, %s', (_name, makeSetup) => {
  let setup: KeySetup;
  let service: InProcessService;
  let admin: KvsClient;
  let transports: Transport[];

  beforeAll(async () => {
    setup = makeSetup();
    service = await startInProcessService(setup.env);
    admin = new KvsClient(
      service.grpcAddress,
      {},
      { token: await setup.sign(goodClaims({ scope: 'kvs:read kvs:write' })) },
    );
    transports = [restTransport(service), grpcTransport(service)];
  });

  afterAll(async () => {
    transports.forEach((transport) => transport.close());
    admin.close();
    await service.stop();
    setup.remove();
  });

  async function resetValues(): Promise<void> {
    for (const key of KEYS) await admin.put(key, ORIGINAL[key]);
  }

  async function readBack(key: string): Promise<string | undefined> {
    try {
      return await admin.get(key);
    } catch (error) {
      if (error instanceof KvsClientError && error.status === status.NOT_FOUND) return undefined;
      throw error;
    }
  }

  for (const frontend of ['REST', 'gRPC']) {
    it.each(TOKEN_CASES.map((token) => [token.name, token] as const))(`${frontend}: %s`, async (_name, token) => {
      const transport = transports.find((candidate) => candidate.name === frontend)!;
      const bearer = await token.make(setup);
      const table: string[] = [];
      const wanted: string[] = [];
      for (const operation of OPERATIONS) {
        for (const key of KEYS) {
          await resetValues();
          const want = expected(token, operation, key);
          const { outcome, text } = await transport.perform(bearer, operation, key);
          table.push(`${operation} ${key}: ${outcome}`);
          wanted.push(`${operation} ${key}: ${want}`);
          const after = await readBack(key);
          if (outcome !== 'ok') {
            // Refused: nothing changed and nothing of either value came back.
            for (const other of KEYS) {
              expect(await readBack(other)).toBe(ORIGINAL[other]);
              expect(text).not.toContain(ORIGINAL[other]);
            }
          } else if (operation === 'GET' || operation === 'WATCH') {
            expect(text).toContain(ORIGINAL[key]);
          } else {
            expect(after).toBe(operation === 'PUT' ? NEW_VALUE : undefined);
          }
        }
      }
      expect(table).toEqual(wanted);
      // Refusals are logged with their reason, never with the token (its signature part is unique).
      const signature = bearer?.split('.')[2];
      if (signature) expect(JSON.stringify(service.log.records)).not.toContain(signature);
      if (token.scopes === undefined) {
        expect(service.log.records.some((record) => record.event === 'access_refused')).toBe(true);
      }
    });
  }
});
