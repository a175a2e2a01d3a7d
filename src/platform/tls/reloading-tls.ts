import { statSync } from 'node:fs';
import type { Logger } from '../logging/logger';
import type { ServerTls, ServerTlsMaterial } from './server-tls';
import { describeError } from '../error-text/error-text';
import { loadTlsMaterial } from './tls-material';
import type { TlsFiles } from './tls.config';

/**
 * How often the files are polled. Polling stat rather than fs.watch because certificate tools
 * replace files by rename (cert-manager, certbot, Kubernetes secret volumes swap a symlink),
 * which an inotify watch on the old inode would miss. Our own poll rather than fs.watchFile
 * because watchFile takes its first stat asynchronously: a file replaced before that stat
 * becomes the baseline and its change is never reported.
 */
const POLL_INTERVAL_MS = 1000;

/**
 * The server's certificates, reloaded on demand (SIGHUP, via reload()) and when a file
 * changes. A reload that fails (a half-written file, a key that does not match yet) is logged
 * and the previous certificates stay in use, so a bad rotation never takes TLS down.
 */
export class ReloadingTls implements ServerTls {
  readonly requireClientCertificate: boolean;
  private material: ServerTlsMaterial;
  private readonly listeners: ((material: ServerTlsMaterial) => void)[] = [];
  private poll: NodeJS.Timeout | undefined;

  /** Loads the files once; throws TlsMaterialError if they cannot be used. */
  constructor(
    private readonly files: TlsFiles,
    private readonly logger: Logger,
  ) {
    this.material = loadTlsMaterial(files);
    this.requireClientCertificate = files.clientCaFile !== undefined;
  }

  current(): ServerTlsMaterial {
    return this.material;
  }

  onReload(listener: (material: ServerTlsMaterial) => void): void {
    this.listeners.push(listener);
  }

  /** Re-reads the files and hands the new material to the listeners; true when it worked. */
  reload(trigger: string): boolean {
    let material: ServerTlsMaterial;
    try {
      material = loadTlsMaterial(this.files);
    } catch (error) {
      this.logger.error(
        { event: 'tls_reload_failed', trigger, reason: describeError(error) },
        `TLS reload (${trigger}) failed; keeping the current certificates: ${describeError(error)}`,
      );
      return false;
    }
    this.material = material;
    for (const listener of this.listeners) listener(material);
    this.logger.info({ event: 'tls_reloaded', trigger }, `TLS certificates reloaded (${trigger})`);
    return true;
  }

  /** Starts reloading when any of the files changes (compared with how they are right now). */
  watch(): void {
    if (this.poll) return;
    let seen = this.paths().map(fileSignature);
    this.poll = setInterval(() => {
      const now = this.paths().map(fileSignature);
      if (now.every((signature, i) => signature === seen[i])) return;
      seen = now;
      this.reload('file change');
    }, POLL_INTERVAL_MS);
    this.poll.unref();
  }

  /** Stops watching the files. */
  close(): void {
    clearInterval(this.poll);
    this.poll = undefined;
  }

  private paths(): string[] {
    const { certFile, keyFile, clientCaFile } = this.files;
    return clientCaFile === undefined ? [certFile, keyFile] : [certFile, keyFile, clientCaFile];
  }
}

/** What changes when a file is rewritten or replaced: its inode, size or modification time. */
function fileSignature(file: string): string {
  try {
    const { ino, size, mtimeMs } = statSync(file);
    return `${ino}:${size}:${mtimeMs}`;
  } catch {
    return 'missing'; // mid-rename; the next poll sees the new file
  }
}
