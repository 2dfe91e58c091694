import type { Config } from 'jest';
import tsconfig from './tsconfig.json';

// One project, CommonJS ts-jest. webdriverio's remote() needs NODE_OPTIONS=--experimental-vm-modules,
// which `npm test` sets.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/agent', '<rootDir>/harness', '<rootDir>/emulator-scripts'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: {
          ...tsconfig.compilerOptions,
          incremental: false,
          tsBuildInfoFile: undefined,
          noEmit: false,
          isolatedModules: true,
        },
      },
    ],
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // Generous: on a shared 2-core machine a test that spawns the CLI or a server can wait on the CPU.
  testTimeout: 90_000,
  // Two workers on CI's two cores: most tests wait on loopback I/O, so both stay busy.
  maxWorkers: 2,
  // A test that fails half-way can leave a server listening; that must fail the test, not hang CI
  // until its time limit. Leaks are found with `npx jest --detectOpenHandles`.
  forceExit: true,
  // One Appium server with the stagesim driver for the run, started only when *.appium.test.ts files run.
  globalSetup: '<rootDir>/harness/targets/appium/testing/jestGlobalSetup.ts',
  globalTeardown: '<rootDir>/harness/targets/appium/testing/jestGlobalTeardown.ts',
  reporters: ['default', '<rootDir>/harness/testing/summaryLineReporter.js'],
};

export default config;
