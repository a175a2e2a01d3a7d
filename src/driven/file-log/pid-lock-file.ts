import { existsSync, readFileSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LogLockedError } from './file-log.errors';
import { errorCode } from '../../platform/error-text/error-text';

// Lock paths this process holds: its own PID in a lock file is stale only if it is not here.
const heldByThisProcess = new Set<string>();

/** How long a lock file may stay empty (its creator between open and write) before it counts as stale. */
const EMPTY_LOCK_GRACE_MS = 200;

/**
 * An exclusive lock on a log file: a file created with O_EXCL that holds the owner's PID.
 * A lock whose PID is dead is taken over, so a SIGKILLed instance never blocks a restart.
 * A container restarted with the same PID as before finds its own PID in the lock and takes
 * it over too, since this process does not hold it.
 */
export class PidLockFile {
  private held = false;

  constructor(
    /** The lock file's path. */
    readonly path: string,
    /** The file the lock protects, for messages. */
    private readonly guarded: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** Takes the lock, or throws LogLockedError naming the owner. */
  async acquire(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (heldByThisProcess.has(this.path)) {
        throw new LogLockedError(`file log: ${this.guarded} is already open in this process (lock file ${this.path})`);
      }
      if (await this.tryCreate()) return;
      const owner = await this.readOwner(attempt);
      if (owner === 'gone') continue;
      if (owner !== 'unreadable' && owner !== process.pid && isAlive(owner)) {
        throw new LogLockedError(
          `file log: ${this.guarded} is in use by process ${owner} (lock file ${this.path}); ` +
            'stop that process first, or delete the lock file if it is not a kvs instance',
        );
      }
      if (attempt >= 3) throw new LogLockedError(`file log: ${this.guarded}: cannot take the lock file ${this.path}`);
      this.warn(`file log: ${this.guarded}: taking over stale lock file ${this.path} (owner ${owner} is not running)`);
      await unlink(this.path).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
      });
    }
  }

  /** Removes the lock file if this instance holds it. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    heldByThisProcess.delete(this.path);
    await unlink(this.path).catch(() => undefined);
  }

  private async tryCreate(): Promise<boolean> {
    try {
      await writeFile(this.path, `${process.pid}\n`, { flag: 'wx' });
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw error;
    }
    this.held = true;
    heldByThisProcess.add(this.path);
    return true;
  }

  /** The owner's PID; 'gone' if the file vanished; 'unreadable' if it holds no PID even after a grace period. */
  private async readOwner(attempt: number): Promise<number | 'gone' | 'unreadable'> {
    for (let waited = false; ; waited = true) {
      let text: string;
      try {
        text = await readFile(this.path, 'utf8');
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return 'gone';
        throw error;
      }
      const pid = Number(/^\s*(\d{1,9})\s*$/.exec(text)?.[1]);
      if (pid > 0) return pid;
      // An empty file may belong to a process that has created it but not yet written its PID.
      if (waited || attempt > 1) return 'unreadable';
      await sleep(EMPTY_LOCK_GRACE_MS);
    }
  }
}

/** Process states (/proc/<pid>/stat) of a process that has ended but may not be reaped yet. */
const ENDED_STATES: ReadonlySet<string> = new Set(['Z', 'X']);

/**
 * Whether `pid` is a running process. A zombie (killed, not yet reaped by its parent: the state
 * right after a kill -9 until the supervisor waits for it) still answers signal 0, so where
 * /proc exists its state is read too: a zombie, a dead process or a vanished entry is not running.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if (errorCode(error) !== 'EPERM') return false;
  }
  const state = procState(pid);
  return state === undefined || !ENDED_STATES.has(state);
}

/** The state letter in /proc/<pid>/stat ('X' once the entry has vanished); undefined without a procfs. */
function procState(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') return undefined;
    return existsSync('/proc/self/stat') ? 'X' : undefined;
  }
  // "pid (comm) state ...": comm may hold spaces and parentheses, so look after the last ')'.
  const afterComm = stat.lastIndexOf(')');
  return afterComm < 0 ? undefined : stat.charAt(afterComm + 2) || undefined;
}
