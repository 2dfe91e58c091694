import type { Config } from 'jest';

// One project, CommonJS ts-jest. webdriverio's remote() needs NODE_OPTIONS=--experimental-vm-modules,
// which `npm test` sets.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/agent', '<rootDir>/harness', '<rootDir>/emulator-scripts'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { ...require('./tsconfig.json').compilerOptions, incremental: false, tsBuildInfoFile: undefined, noEmit: false, isolatedModules: true } }],
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 30_000,
  // One Appium server with the stagesim driver for the run, started only when *.appium.test.ts files run.
  globalSetup: '<rootDir>/harness/targets/appium/testing/jestGlobalSetup.ts',
  globalTeardown: '<rootDir>/harness/targets/appium/testing/jestGlobalTeardown.ts',
  reporters: ['default', '<rootDir>/harness/testing/summaryLineReporter.js'],
};

export default config;
