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
};
