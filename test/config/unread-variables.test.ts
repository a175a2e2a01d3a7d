import { EnvReader } from '../../src/config/env-reader';
import { unreadVariables } from '../../src/config/unread-variables';

describe('unreadVariables', () => {
  it('names each set KVS_/TLOG_ variable nothing looked up, with the closest name that was', () => {
    const env = {
      KVS_HTTP_PROT: '9000',
      TLOG_FILE_NAME: '/x',
      KVS_HTTP_PORT: '1',
      PATH: '/bin',
      KVS_ZZZ_UNRELATED: '1',
    };
    const reader = new EnvReader(env);
    reader.port('KVS_HTTP_PORT', 8080);
    reader.string('TLOG_FILENAME', './data/transactions.log');
    expect(unreadVariables(env, reader.namesRead)).toEqual([
      { name: 'KVS_HTTP_PROT', suggestion: 'KVS_HTTP_PORT' },
      { name: 'KVS_ZZZ_UNRELATED' },
      { name: 'TLOG_FILE_NAME', suggestion: 'TLOG_FILENAME' },
    ]);
  });

  it('counts a variable as read when it was looked up, even if unset or empty', () => {
    const env = { KVS_MAX_KEY_BYTES: '' };
    const reader = new EnvReader(env);
    reader.integer('KVS_MAX_KEY_BYTES', 1024, 1, 65536);
    expect(unreadVariables(env, reader.namesRead)).toEqual([]);
  });
});

describe('unreadVariables and the CLI', () => {
  it('never names a variable declared for the CLI only, such as KVS_ADDRESS or KVS_TOKEN', () => {
    const env = { KVS_ADDRESS: 'localhost:50051', KVS_TOKEN: 'x', KVS_CACERT: '/ca', KVS_TOKN: 'x' };
    const reader = new EnvReader(env);
    reader.port('KVS_HTTP_PORT', 8080);
    expect(unreadVariables(env, reader.namesRead).map(({ name }) => name)).toEqual(['KVS_TOKN']);
  });
});
