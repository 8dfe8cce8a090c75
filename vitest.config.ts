import { defineConfig } from 'vitest/config';

const integration = {
  include: ['tests/integration/**/*.test.ts'],
  environment: 'node' as const,
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // CI also writes a JSON report so .ci/run can print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/{protocol,boundary,server,main,preload,renderer,scripts}/**/*.test.ts'],
          environment: 'node',
          // Property tests and two-instance PostgreSQL tests take seconds on a loaded 2-core machine; a timeout
          // here only stops a hung test, it never measures speed (benchmarks do).
          testTimeout: 30_000,
          // Creating or dropping a test database waits for PostgreSQL, which a loaded machine makes slow.
          hookTimeout: 60_000,
        },
      },
      { test: { name: 'integration', ...integration } },
      // The same tests with every server on PostgreSQL (tests/integration/support/test-server.ts: a database per
      // test file, a schema per server data dir), when there is a PostgreSQL to test against.
      ...(process.env.SWITCHBOARD_TEST_DATABASE_URL
        ? [{ test: { name: 'integration-pg', ...integration, env: { SWITCHBOARD_TEST_SERVER_DATABASE: 'postgres' } } }]
        : []),
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
