import { ConfigError, EnvReader } from '../../../src/config/env-reader';
import { readFileLogConfig } from '../../../src/driven/file-log';

describe('readFileLogConfig', () => {
  it('defaults to ./data/transactions.log with sync=always', () => {
    expect(readFileLogConfig(new EnvReader({}))).toEqual({
      filename: './data/transactions.log',
      sync: 'always',
      compaction: { minBytes: 64 * 1024 * 1024, ratio: 2 },
    });
  });

  it('reads TLOG_FILENAME and TLOG_SYNC', () => {
    const env = new EnvReader({ TLOG_FILENAME: '/var/lib/kvs/t.log', TLOG_SYNC: 'Interval' });
    expect(readFileLogConfig(env)).toMatchObject({ filename: '/var/lib/kvs/t.log', sync: 'interval' });
  });

  it('reads KVS_COMPACT_MIN_BYTES and KVS_COMPACT_RATIO', () => {
    const env = new EnvReader({ KVS_COMPACT_MIN_BYTES: '4096', KVS_COMPACT_RATIO: '1.5' });
    expect(readFileLogConfig(env).compaction).toEqual({ minBytes: 4096, ratio: 1.5 });
  });

  it.each([
    ['KVS_COMPACT_RATIO', '0.5', 'a number from 1 to 1000'],
    ['KVS_COMPACT_RATIO', 'twice', 'a number from 1 to 1000'],
    ['KVS_COMPACT_MIN_BYTES', '-1', 'an integer from 0 to'],
    ['KVS_COMPACT_MIN_BYTES', '64MiB', 'an integer from 0 to'],
  ])('rejects %s=%s in one line naming what is accepted', (name, value, accepted) => {
    const read = () => readFileLogConfig(new EnvReader({ [name]: value }));
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`config: ${name}="${value}" is not valid; expected ${accepted}`);
  });

  it('rejects an unknown sync policy, naming the variable and the choices', () => {
    const read = () => readFileLogConfig(new EnvReader({ TLOG_SYNC: 'sometimes' }));
    expect(read).toThrow(ConfigError);
    expect(read).toThrow('config: TLOG_SYNC="sometimes" is not valid; expected always, interval, never');
  });
});
