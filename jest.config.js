/** Jest: swc transform, real servers brought up once per run by test/setup/global-setup.ts. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(ts|js)$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // A few dependencies ship ESM only; Node 20.19+ require()s them natively but Jest needs them transformed.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie|jose|hyparquet|eventsource-parser)/)'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  setupFiles: ['<rootDir>/test/setup/env.ts'],
  testTimeout: 60_000,
  // Temporal's native runtime keeps handles open after tests (sdk-typescript#928); exit once done.
  forceExit: true,
};
