/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  moduleNameMapper: {
    '^cdk-happ-webhooks$': '<rootDir>/lib/index.ts',
    '^cdk-happ-webhooks/runtime$': '<rootDir>/lambda/runtime/index.ts',
  },
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  testTimeout: 60_000,
  maxWorkers: 2,
  // A worker that synthesized many stacks holds a large heap, and tearing it down on exit took more
  // than Jest's default 500 ms on this busy 2-core machine ("A worker process has failed to exit
  // gracefully"), with no open handle left (checked per file with process._getActiveHandles()).
  // A real leak still shows: a handle keeps the worker alive past this too.
  workerGracefulExitTimeout: 5_000,
};
