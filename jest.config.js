const { existsSync } = require('node:fs');

// The Redis tests start their own Debian redis-server (.ci/run installs it). Without it they are
// skipped, loudly, except in CI, where a missing server is an error rather than a quiet green run.
const REDIS_TESTS = 'tests/cluster/(redis-coordinator|coordinator-contract|shared-login-rate-limiter|shared-login-route|shared-presence-redis|cluster\\.e2e)\\.test\\.ts$';
const redisInstalled = existsSync('/usr/bin/redis-server');
if (!redisInstalled) {
  if (process.env.CI === 'true') throw new Error('CI=true but /usr/bin/redis-server is missing: .ci/run must install it');
  console.warn('redis-server is not installed: the Redis and cluster tests are skipped (apt-get install redis-server)');
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...(redisInstalled ? [] : [REDIS_TESTS])],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }] },
  testTimeout: 20000,
  // A model cache for the run (tests/global-setup.ts): one training instead of one per test file.
  globalSetup: '<rootDir>/tests/global-setup.ts',
  globalTeardown: '<rootDir>/tests/global-teardown.ts',
};
