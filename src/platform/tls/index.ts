/** TLS certificates for both frontends: loading, checking and reloading the PEM files. */
export { ReloadingTls } from './reloading-tls';
export { loadTlsMaterial, TlsMaterialError } from './tls-material';
export { readTlsConfig, type TlsFiles } from './tls.config';
