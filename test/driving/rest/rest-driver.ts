import type { CoreErrorCode as KvsErrorCode } from '../../../src/core';
import type { RunningRest } from '../../support/rest-server';
import type { FrontendDriver, Outcome } from '../../contracts/frontend.contract';

// ignoreBOM: Response.text() would strip a leading U+FEFF, which is part of a stored value.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Calls the REST API and maps the response to the contract's terms via the error body's code. */
async function call(running: RunningRest, method: string, key: string, value?: string): Promise<Outcome> {
  const response = await fetch(`${running.url}/v1/key/${encodeURIComponent(key)}`, { method, body: value });
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
