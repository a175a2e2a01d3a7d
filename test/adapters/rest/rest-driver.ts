import { RestFrontend } from '../../../src/adapters/rest';
import type { KeyValueStore, KvsErrorCode } from '../../../src/core';
import type { FrontendDriver, Outcome } from '../../contracts/frontend.contract';

// ignoreBOM: Response.text() would strip a leading U+FEFF, which is part of a stored value.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A RestFrontend on 127.0.0.1 and an ephemeral port. */
export interface RunningRest {
  readonly frontend: RestFrontend;
  /** Base URL, e.g. http://127.0.0.1:12345 */
  readonly baseUrl: string;
}

/** Starts a RestFrontend on the store. */
export async function startRest(store: KeyValueStore): Promise<RunningRest> {
  const frontend = new RestFrontend(store, { host: '127.0.0.1', port: 0 });
  const { port } = await frontend.start();
  return { frontend, baseUrl: `http://127.0.0.1:${port}` };
}

/** Calls the REST API and maps the response to the contract's terms via the error body's code. */
async function call(running: RunningRest, method: string, key: string, value?: string): Promise<Outcome> {
  const response = await fetch(`${running.baseUrl}/v1/key/${encodeURIComponent(key)}`, { method, body: value });
  const body = utf8.decode(await response.arrayBuffer());
  if (response.ok) return method === 'GET' ? { ok: true, value: body } : { ok: true };
  const { code } = JSON.parse(body) as { code: KvsErrorCode };
  return { ok: false, code };
}

/** The contract driver for the REST frontend, over fetch. */
export function restDriver(running: RunningRest): FrontendDriver {
  return {
    put: (key, value) => call(running, 'PUT', key, value),
    get: (key) => call(running, 'GET', key),
    delete: (key) => call(running, 'DELETE', key),
    close: () => running.frontend.stop(),
  };
}
