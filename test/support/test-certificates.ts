import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and certificate as files (paths) and contents. */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Certificates made for one test file by `openssl`, in a temporary directory; never committed. */
export interface TestCertificates {
  readonly dir: string;
  /** The CA that signs the server and client certificates below. */
  readonly ca: CertificateFiles;
  /** For localhost / 127.0.0.1, signed by the CA. */
  readonly server: CertificateFiles;
  /** A second server certificate, for reload tests. */
  readonly rotatedServer: CertificateFiles;
  /** For the name localhost only (no IP address), signed by the CA. */
  readonly nameOnlyServer: CertificateFiles;
  /** CN=alice, signed by the CA. */
  readonly client: CertificateFiles;
  /** CN=mallory, self-signed: not trusted by the server. */
  readonly strangerClient: CertificateFiles;
  /** Removes the directory. */
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Generates a CA, two server certificates and two client certificates (P-256, valid one day). */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-certs-'));
  const files = (name: string): CertificateFiles => {
    const certFile = join(dir, `${name}.crt`);
    const keyFile = join(dir, `${name}.key`);
    return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
  };
  openssl(
    ['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=kvs test CA'],
    dir,
  );
  const signed = (name: string, subject: string, extensions: string): void => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
        '-out',
        `${name}.crt`,
        '-days',
        '1',
        '-extfile',
        `${name}.ext`,
      ]),
      dir,
    );
  };
  const serverExtensions = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n';
  signed('server', '/CN=localhost', serverExtensions);
  signed('rotated-server', '/CN=localhost', serverExtensions);
  signed('name-only-server', '/CN=localhost', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('client', '/CN=alice/O=kvs tests', 'extendedKeyUsage=clientAuth\n');
  openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      'stranger.key',
      '-out',
      'stranger.crt',
      '-days',
      '1',
      '-subj',
      '/CN=mallory',
    ],
    dir,
  );
  return {
    dir,
    ca: files('ca'),
    server: files('server'),
    rotatedServer: files('rotated-server'),
    nameOnlyServer: files('name-only-server'),
    client: files('client'),
    strangerClient: files('stranger'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
