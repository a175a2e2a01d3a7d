import { KVS_ERROR_CODES, type KvsErrorCode as WireErrorCode } from '../../src/api/error-codes';
import type { CoreErrorCode } from '../../src/core';

/** Fails to compile when the core gains an error code that the wire contract does not list. */
const everyCoreCodeIsOnTheWire = (code: CoreErrorCode): WireErrorCode => code;

describe('error codes of the wire contract', () => {
  it('lists each code once, in the documented SCREAMING_SNAKE form', () => {
    expect(new Set(KVS_ERROR_CODES).size).toBe(KVS_ERROR_CODES.length);
    for (const code of KVS_ERROR_CODES) expect(code).toMatch(/^[A-Z]+(?:_[A-Z]+)*$/);
    expect(everyCoreCodeIsOnTheWire('KEY_NOT_FOUND')).toBe('KEY_NOT_FOUND');
  });
});
