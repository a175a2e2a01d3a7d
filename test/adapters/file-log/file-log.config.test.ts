import { ConfigError, EnvReader } from '../../../src/config/env-reader';
import { readFileLogConfig } from '../../../src/adapters/file-log';

describe('readFileLogConfig', () => {
  it('defaults to ./data/transactions.log with sync=always', () => {
    expect(readFileLogConfig(new EnvReader({}))).toEqual({ filename: './data/transactions.log', sync: 'always' });
  });

  it('reads TLOG_FILENAME and TLOG_SYNC', () => {
    const env = new EnvReader({ TLOG_FILENAME: '/var/lib/kvs/t.log', TLOG_SYNC: 'Interval' });
    expect(readFileLogConfig(env)).toEqual({ filename: '/var/lib/kvs/t.log', sync: 'interval' });
  });

  it('rejects an unknown sync policy, naming the variable and the choices', () => {
    const read = () => readFileLogConfig(new EnvReader({ TLOG_SYNC: 'sometimes' }));
    expect(read).toThrow(ConfigError);
    expect(read).toThrow('config: TLOG_SYNC="sometimes" is not valid; expected always, interval, never');
  });
});
