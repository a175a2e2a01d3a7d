import { readRestConfig } from '../../../src/driving/rest';
import { ConfigError, EnvReader } from '../../../src/config/env-reader';

describe('readRestConfig', () => {
  it('listens on 8080 with limits far below node:http defaults', () => {
    expect(readRestConfig(new EnvReader({}))).toEqual({
      port: 8080,
      maxBodyBytesInFlight: 64 * 1024 * 1024,
      maxConnections: 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      ui: true,
    });
  });

  it('serves the web UI unless KVS_UI=false, and refuses any other value', () => {
    expect(readRestConfig(new EnvReader({ KVS_UI: 'false' })).ui).toBe(false);
    expect(() => readRestConfig(new EnvReader({ KVS_UI: 'no' }))).toThrow(/KVS_UI/);
  });

  it('reads the limits', () => {
    const env = new EnvReader({
      KVS_MAX_BODY_BYTES_IN_FLIGHT: '1048576',
      KVS_MAX_CONNECTIONS: '10',
      KVS_HEADERS_TIMEOUT_MS: '1000',
      KVS_REQUEST_TIMEOUT_MS: '2000',
    });
    expect(readRestConfig(env)).toMatchObject({
      maxBodyBytesInFlight: 1048576,
      maxConnections: 10,
      headersTimeoutMs: 1000,
      requestTimeoutMs: 2000,
    });
  });

  it('names the variable, the value and what is accepted', () => {
    expect(() => readRestConfig(new EnvReader({ KVS_MAX_CONNECTIONS: '0' }))).toThrow(
      'config: KVS_MAX_CONNECTIONS="0" is not valid; expected an integer from 1 to 1000000',
    );
    expect(() => readRestConfig(new EnvReader({ KVS_HEADERS_TIMEOUT_MS: '40000' }))).toThrow(ConfigError);
    expect(() => readRestConfig(new EnvReader({ KVS_HEADERS_TIMEOUT_MS: '40000' }))).toThrow(
      'config: KVS_HEADERS_TIMEOUT_MS="40000" is not valid; expected at most KVS_REQUEST_TIMEOUT_MS (30000)',
    );
  });
});
