/** Jest runs the TypeScript tests directly through ts-jest; `npm test` builds dist/ first for the tests that spawn the service. */
const project = { preset: 'ts-jest', testEnvironment: 'node', roots: ['<rootDir>/test'] };

/**
 * The suites that run a second time against KVS_WORKERS=2 (docs/workers.md): an owner process
 * with the log and two workers serving, the book's REST and gRPC sessions on one store, auth,
 * TLS reload and config errors, the CLI against a server with tokens, rate limits and read-only,
 * TTL and leases with watchers. A small set on purpose: CI runs the whole suite twice, and the
 * rest exercise code that is the same in a worker (test/e2e/workers.test.ts covers what differs).
 */
const WITH_WORKERS = [
  'test/e2e/frontends.test.ts',
  'test/e2e/security-startup.test.ts',
  'test/e2e/ttl-and-leases.test.ts',
  'test/cli/kvs-cli-servers.test.ts',
];

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...project, displayName: 'default', testMatch: ['**/*.test.ts'] },
    {
      ...project,
      displayName: 'workers',
      testMatch: WITH_WORKERS.map((path) => `<rootDir>/${path}`),
      // test/support/service-process passes KVS_WORKERS on to every service it starts.
      setupFiles: ['<rootDir>/test/support/with-workers.ts'],
    },
  ],
};
