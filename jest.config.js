/** Jest runs the TypeScript tests directly through ts-jest; `npm test` builds dist/ first for the tests that spawn the service. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 30000,
};
