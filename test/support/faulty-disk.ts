import { openLogFile, type LogFileHandle, type OpenLogFile } from '../../src/driven/file-log/log-file-handle';

/**
 * Real file handles with faults a test turns on: a capacity beyond which a writev is short and
 * the next fails with ENOSPC (as a full filesystem does), a write error, failing fdatasyncs.
 */
export class FaultyDisk {
  capacity = Infinity;
  writeError: string | undefined;
  failingSyncs = 0;
  private handle: LogFileHandle | undefined;

  readonly open: OpenLogFile = async (filename) => {
    const real = await openLogFile(filename);
    this.handle = {
      read: (...args) => real.read(...args),
      writev: async (buffers) => {
        if (this.writeError) throw errno(this.writeError, 'write');
        const room = this.capacity - (await real.stat()).size;
        const offered = Buffer.concat(buffers);
        if (offered.length <= room) return real.writev(buffers);
        if (room <= 0) throw errno('ENOSPC', 'write');
        return real.writev([offered.subarray(0, room)]);
      },
      datasync: () => {
        if (this.failingSyncs === 0) return real.datasync();
        this.failingSyncs--;
        return Promise.reject(errno('EIO', 'fdatasync'));
      },
      truncate: (length) => real.truncate(length),
      stat: () => real.stat(),
      close: () => real.close(),
    };
    return this.handle;
  };

  readonly freeBytes = async (): Promise<number> =>
    this.capacity === Infinity || !this.handle ? 1 << 30 : this.capacity - (await this.handle.stat()).size;
}

function errno(code: string, syscall: string): Error {
  return Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall });
}
