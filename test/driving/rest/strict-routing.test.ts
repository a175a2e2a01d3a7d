import { hmacSetup } from '../../security/jwt-fixtures';
import { send } from '../../support/http-request';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';

/**
 * The REST routes match as the operation table does (case-sensitive, strict about a trailing
 * slash): a path the table has no row for must reach no handler, or it would skip every policy.
 */
describe('REST routing', () => {
  const setup = hmacSetup();
  let service: InProcessService;

  beforeAll(async () => {
    service = await startInProcessService(setup.env);
    await service.store.put('secret', 'the value');
  });

  afterAll(() => service.stop());

  it.each([
    '/v1/key/secret/',
    '/V1/key/secret',
    '/v1/KEY/secret',
    '/v1/keys/?prefix=',
    '/V1/keys?prefix=',
    '/v1/status/',
    '/v1/Status',
    '/UI/',
  ])('answers %s without a token with no handler run: never 200', async (path) => {
    const answer = await send(`${service.restUrl}${path}`);
    expect(answer.status).not.toBe(200);
    expect(answer.body).not.toContain('the value');
    expect(JSON.parse(answer.body).code).toMatch(/^(NO_SUCH_ROUTE|INVALID_KEY|UNAUTHENTICATED)$/);
  });
});
