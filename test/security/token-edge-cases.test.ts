import { send } from '../support/http-request';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { goodClaims, hmacSetup } from './jwt-fixtures';

/**
 * Token edge cases on a real REST socket: claims that are not what kvs expects refuse the token
 * (fail closed, 401), and the clock tolerance on exp and nbf is KVS_AUTH_CLOCK_TOLERANCE_S
 * (default 30 s), checked on both sides with margins far above any test's running time.
 */

const setup = hmacSetup();
const now = (): number => Math.floor(Date.now() / 1000);
const KEY = 'team-a/k';

async function status(service: InProcessService, token: string): Promise<number> {
  const answer = await send(`${service.restUrl}/v1/key/${encodeURIComponent(KEY)}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}` },
    body: 'v',
  });
  return answer.status;
}

describe('malformed kvs_prefixes', () => {
  let service: InProcessService;
  beforeAll(async () => {
    service = await startInProcessService(setup.env);
  });
  afterAll(() => service.stop());

  it.each([
    ['null', null],
    ['a string', 'team-a/'],
    ['an object', { 0: 'team-a/' }],
    ['a number', 7],
    ['an array with a non-string', ['team-a/', 7]],
    ['an array with null', [null]],
  ])('refuses a token whose kvs_prefixes is %s: 401, and logs why', async (_name, prefixes) => {
    const token = await setup.sign(goodClaims({ scope: 'kvs:read kvs:write', kvs_prefixes: prefixes }));
    expect(await status(service, token)).toBe(401);
    expect(() => service.store.get(KEY)).toThrow('key not found');
    expect(service.log.records).toContainEqual(
      expect.objectContaining({ event: 'access_refused', reason: 'claim kvs_prefixes is not an array of strings' }),
    );
  });

  it('grants a key inside a well-formed kvs_prefixes (the control)', async () => {
    const token = await setup.sign(goodClaims({ scope: 'kvs:read kvs:write', kvs_prefixes: ['team-a/'] }));
    expect(await status(service, token)).toBe(201);
  });
});

describe.each([
  ['the default (30 s)', {}, 30],
  ['KVS_AUTH_CLOCK_TOLERANCE_S=5', { KVS_AUTH_CLOCK_TOLERANCE_S: '5' }, 5],
  ['KVS_AUTH_CLOCK_TOLERANCE_S=0', { KVS_AUTH_CLOCK_TOLERANCE_S: '0' }, 0],
])('clock tolerance, %s', (_name, env: Record<string, string>, tolerance) => {
  let service: InProcessService;
  beforeAll(async () => {
    service = await startInProcessService({ ...setup.env, ...env });
  });
  afterAll(() => service.stop());

  // Inside: a quarter of the tolerance away from the edge (at least 3 s); outside: 10 s beyond it.
  const inside = Math.max(tolerance - Math.max(3, Math.floor(tolerance / 4)), 0);
  const outside = tolerance + 10;
  const claims = (extra: object) => goodClaims({ scope: 'kvs:write', ...extra });

  it(`${tolerance > 0 ? `accepts a token expired ${inside} s ago and ` : ''}refuses one expired ${outside} s ago`, async () => {
    if (tolerance > 0) expect(await status(service, await setup.sign(claims({ exp: now() - inside })))).toBe(201);
    expect(await status(service, await setup.sign(claims({ exp: now() - outside })))).toBe(401);
  });

  it(`${tolerance > 0 ? `accepts a token valid in ${inside} s and ` : ''}refuses one valid in ${outside} s`, async () => {
    if (tolerance > 0) expect(await status(service, await setup.sign(claims({ nbf: now() + inside })))).toBe(201);
    expect(await status(service, await setup.sign(claims({ nbf: now() + outside })))).toBe(401);
  });
});
