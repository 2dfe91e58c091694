import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@jest/types';
import { projectRoot } from '../../../../agent/projectRoot';
import { startAppiumInProcess, type LocalAppium } from '../localAppium';
import { ensureDriverBuilt } from './driverBuild';

/**
 * jest globalSetup: one Appium server with the stagesim driver for the whole run, started outside the
 * test sandbox (Appium's CommonJS code loads ESM-only packages, which the sandbox cannot). Tests reach
 * it through STAGESIM_TEST_APPIUM_URL. A run whose path patterns select no `*.appium.test.ts` file
 * starts nothing, so running one unrelated test stays fast.
 */
export const APPIUM_URL_ENV = 'STAGESIM_TEST_APPIUM_URL';
/** Why there is no server, for the Appium tests to fail with (the other tests run on regardless). */
export const APPIUM_ERROR_ENV = 'STAGESIM_TEST_APPIUM_ERROR';

declare global {
  var __stagesimAppium: LocalAppium | undefined;
}

function appiumTestFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) appiumTestFiles(path, out);
    else if (entry.name.endsWith('.appium.test.ts')) out.push(path);
  }
  return out;
}

export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  const root = projectRoot();
  const patterns = globalConfig.testPathPatterns;
  if (patterns.isSet()) {
    const executor = patterns.toExecutor({ rootDir: globalConfig.rootDir });
    const wanted = ['agent', 'harness'].flatMap((folder) => appiumTestFiles(join(root, folder)));
    if (!wanted.some((file) => executor.isMatch(file))) return;
  }
  try {
    if (ensureDriverBuilt(root))
      process.stderr.write('stagesim: compiled the Appium driver (agent/appium-driver/dist)\n');
    const server = await startAppiumInProcess();
    globalThis.__stagesimAppium = server;
    process.env[APPIUM_URL_ENV] = server.url;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.env[APPIUM_ERROR_ENV] = reason;
    process.stderr.write(`stagesim: no Appium server for the *.appium.test.ts files: ${reason}\n`);
  }
}
