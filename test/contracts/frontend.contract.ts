import type { KeyValueStore, Limits } from '../../src/core';
import type { KvsErrorCode } from '../../src/api/error-codes';
import { MemoryTransactionLog, restoredStore } from '../support/memory-transaction-log';
import { HOSTILE_STRINGS } from '../support/hostile-strings';

/** What a call through a frontend came to, in the core's terms, whatever the transport. */
export type Outcome =
  { readonly ok: true; readonly value?: string } | { readonly ok: false; readonly code: KvsErrorCode };

/**
 * A minimal client of one frontend over a real socket. Each driver maps its transport's
 * statuses back to the core's error codes, so every case below is shared by all frontends.
 */
export interface FrontendDriver {
  put(key: string, value: string): Promise<Outcome>;
  /** `{ ok: true, value }` on success. */
  get(key: string): Promise<Outcome>;
  delete(key: string): Promise<Outcome>;
  /** Closes the client and stops the frontend. */
  close(): Promise<void>;
}

/** How the contract suite starts a frontend on a store it prepared. */
export interface FrontendContractOptions {
  /** Starts the frontend on `store` (port 0, 127.0.0.1) and returns a driver connected to it. */
  start(store: KeyValueStore): Promise<FrontendDriver>;
}

/** Small limits keep the size cases fast; every frontend is tested against these. */
export const CONTRACT_LIMITS: Limits = { maxKeyBytes: 64, maxValueBytes: 4096 };

/** The behaviour every frontend must show, run by each frontend's own test file. */
export function runFrontendContract(frontend: string, options: FrontendContractOptions): void {
  describe(`Frontend contract: ${frontend}`, () => {
    let log: MemoryTransactionLog;
    let driver: FrontendDriver;

    beforeEach(async () => {
      log = new MemoryTransactionLog();
      driver = await options.start(await restoredStore(log, CONTRACT_LIMITS));
    });

    afterEach(async () => {
      await driver.close();
    });

    it('puts, gets and deletes a key', async () => {
      expect(await driver.put('greeting', 'hello')).toEqual({ ok: true });
      expect(await driver.get('greeting')).toEqual({ ok: true, value: 'hello' });
      expect(await driver.delete('greeting')).toEqual({ ok: true });
      expect(await driver.get('greeting')).toEqual({ ok: false, code: 'KEY_NOT_FOUND' });
      expect(log.events.flatMap((record) => record.writes.map(({ type, key }) => [type, key]))).toEqual([
        ['put', 'greeting'],
        ['delete', 'greeting'],
      ]);
    });

    it('overwrites a value and accepts the same put twice', async () => {
      expect(await driver.put('k', 'one')).toEqual({ ok: true });
      expect(await driver.put('k', 'two')).toEqual({ ok: true });
      expect(await driver.put('k', 'two')).toEqual({ ok: true });
      expect(await driver.get('k')).toEqual({ ok: true, value: 'two' });
    });

    it('stores an empty value as a value, not as a missing key', async () => {
      expect(await driver.put('empty', '')).toEqual({ ok: true });
      expect(await driver.get('empty')).toEqual({ ok: true, value: '' });
    });

    it('succeeds when deleting twice or deleting a key that never existed', async () => {
      await driver.put('k', 'v');
      expect(await driver.delete('k')).toEqual({ ok: true });
      expect(await driver.delete('k')).toEqual({ ok: true });
      expect(await driver.delete('never-written')).toEqual({ ok: true });
    });

    it('reports KEY_NOT_FOUND for a key that was never written', async () => {
      expect(await driver.get('missing')).toEqual({ ok: false, code: 'KEY_NOT_FOUND' });
    });

    it('round-trips hostile keys and values exactly', async () => {
      for (const text of HOSTILE_STRINGS) {
        expect([text, await driver.put(text, `value:${text}`)]).toEqual([text, { ok: true }]);
      }
      for (const text of HOSTILE_STRINGS) {
        expect([text, await driver.get(text)]).toEqual([text, { ok: true, value: `value:${text}` }]);
      }
      expect(await driver.delete(HOSTILE_STRINGS[0])).toEqual({ ok: true });
      expect(await driver.get(HOSTILE_STRINGS[0])).toEqual({ ok: false, code: 'KEY_NOT_FOUND' });
      expect(await driver.get(HOSTILE_STRINGS[1])).toEqual({ ok: true, value: `value:${HOSTILE_STRINGS[1]}` });
    });

    it('accepts a value of exactly the limit in UTF-8 bytes and refuses one byte more', async () => {
      const ascii = 'v'.repeat(CONTRACT_LIMITS.maxValueBytes);
      const multiByte = 'é'.repeat(CONTRACT_LIMITS.maxValueBytes / 2);
      expect(await driver.put('ascii', ascii)).toEqual({ ok: true });
      expect(await driver.put('multi', multiByte)).toEqual({ ok: true });
      expect(await driver.get('multi')).toEqual({ ok: true, value: multiByte });

      expect(await driver.put('ascii', `${ascii}v`)).toEqual({ ok: false, code: 'VALUE_TOO_LARGE' });
      expect(await driver.put('multi', `${multiByte}v`)).toEqual({ ok: false, code: 'VALUE_TOO_LARGE' });
      expect(await driver.get('ascii')).toEqual({ ok: true, value: ascii });
    });

    it('refuses a value far over the limit as VALUE_TOO_LARGE', async () => {
      expect(await driver.put('huge', 'x'.repeat(1024 * 1024))).toEqual({ ok: false, code: 'VALUE_TOO_LARGE' });
      expect(await driver.get('huge')).toEqual({ ok: false, code: 'KEY_NOT_FOUND' });
    });

    it('accepts a key of exactly the limit and refuses a longer one on every operation', async () => {
      const longest = '🗝'.repeat(8) + '鍵'.repeat(8) + 'k'.repeat(CONTRACT_LIMITS.maxKeyBytes - 8 * 4 - 8 * 3);
      expect(await driver.put(longest, 'v')).toEqual({ ok: true });
      expect(await driver.get(longest)).toEqual({ ok: true, value: 'v' });

      const tooLong = `${longest}k`;
      const refused = { ok: false, code: 'KEY_TOO_LARGE' };
      expect(await driver.put(tooLong, 'v')).toEqual(refused);
      expect(await driver.get(tooLong)).toEqual(refused);
      expect(await driver.delete(tooLong)).toEqual(refused);
    });

    it('refuses an empty key on every operation', async () => {
      const refused = { ok: false, code: 'INVALID_KEY' };
      expect(await driver.put('', 'v')).toEqual(refused);
      expect(await driver.get('')).toEqual(refused);
      expect(await driver.delete('')).toEqual(refused);
      expect(log.events).toEqual([]);
    });

    it('reports LOG_UNAVAILABLE when the log cannot take a write, and changes nothing', async () => {
      await driver.put('k', 'before');
      log.failNext();
      expect(await driver.put('k', 'after')).toEqual({ ok: false, code: 'LOG_UNAVAILABLE' });
      log.failNext();
      expect(await driver.delete('k')).toEqual({ ok: false, code: 'LOG_UNAVAILABLE' });
      expect(await driver.get('k')).toEqual({ ok: true, value: 'before' });
      expect(await driver.put('k', 'after')).toEqual({ ok: true });
      expect(await driver.get('k')).toEqual({ ok: true, value: 'after' });
    });
  });
}
