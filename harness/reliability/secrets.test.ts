import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { projectRoot } from '../../agent/projectRoot';
import { TOKEN_ALPHABET, TOKEN_LENGTH } from '../../agent/provisioning/tokenEntry';
import { startBackend } from '../backend/server';
import * as tokens from '../backend/tokens';
import { GraphTestClient, PROFILES, createProfile } from '../backend/testing/graphTestClient';
import { RawChannel } from '../backend/testing/rawChannel';
import { runModelSuite } from '../model-testing/runModelSuite';
import { sabotage } from '../model-testing/sabotage';
import { createReporters } from '../reporters';
import { loadScenarios } from '../scenarios/loader';
import { runScenarios } from '../scenarios/runner';
import { HeadlessTarget } from '../targets/headless/HeadlessTarget';
import { BackendChild } from './testing/backendChild';

/**
 * Enrollment tokens are the devices' only credential: drawn from a CSPRNG, matched in constant time, and
 * never written out whole, neither in a log line nor in any report (only their last four symbols).
 */
describe('token values', () => {
  afterEach(() => jest.restoreAllMocks());

  test('are drawn symbol by symbol from crypto.randomInt, never Math.random', () => {
    const randomInt = jest.spyOn(crypto, 'randomInt');
    const mathRandom = jest.spyOn(Math, 'random');
    const value = tokens.generateTokenValue();
    expect(value).toHaveLength(TOKEN_LENGTH);
    expect(randomInt).toHaveBeenCalledTimes(TOKEN_LENGTH);
    for (const call of randomInt.mock.calls) expect(call).toEqual([TOKEN_ALPHABET.length]);
    expect(mathRandom).not.toHaveBeenCalled();
  });

  test('use every symbol of the alphabet about equally often (chi-square over 100,000 symbols)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 5_000; i += 1)
      for (const symbol of tokens.generateTokenValue()) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    const expected = (5_000 * TOKEN_LENGTH) / TOKEN_ALPHABET.length;
    const chiSquare = [...TOKEN_ALPHABET].reduce(
      (sum, symbol) => sum + ((counts.get(symbol) ?? 0) - expected) ** 2 / expected,
      0,
    );
    // 31 degrees of freedom: above 85 happens by chance once in 1.6 million runs (61.1 failed once in a
    // thousand runs of a fair generator); one symbol drawn 1.2 times as often as the others adds
    // about 120 on its own (in expectation, over 100,000 symbols).
    expect(chiSquare).toBeLessThan(85);
  });

  test('are looked up by digest and confirmed with timingSafeEqual, so a guess learns nothing from timing', async () => {
    const backend = await startBackend();
    try {
      const profile = await createProfile(GraphTestClient.for(backend), {});
      const channel = await RawChannel.open(backend.channelUrl);
      await channel.hello('TIMING1');
      const compare = jest.spyOn(crypto, 'timingSafeEqual');
      const digest = jest.spyOn(tokens, 'hashToken');
      // A guess right in all but the last symbol goes the same way as any other: digest, lookup, no match.
      const nearMiss = `${profile.tokenValue.slice(0, -1)}${profile.tokenValue.endsWith('A') ? 'B' : 'A'}`;
      expect(await channel.request({ type: 'redeemToken', token: nearMiss, method: 'qr' })).toMatchObject({
        reason: 'unknown',
      });
      expect(digest).toHaveBeenCalledWith(nearMiss);
      expect(
        await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' }),
      ).toMatchObject({ type: 'tokenAccepted' });
      expect(compare).toHaveBeenCalledTimes(1);
      const [a, b] = compare.mock.calls[0]! as unknown as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
      await channel.close();
    } finally {
      await backend.close();
    }
  });
});

/** Every place a whole token could hide in text: as minted, lower case, or typed in groups with spaces. */
function leaks(text: string, values: readonly string[]): string[] {
  const squeezed = text.replace(/[\s\-\u2010-\u2015]/g, '').toUpperCase();
  return values.filter((value) => squeezed.includes(value));
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

describe('no whole token in any log or report', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'stagesim-secrets-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(folder, { recursive: true, force: true });
  });

  test('scenarios about tokens and model paths (passing and failing), through every reporter and the backend log', async () => {
    const minted: string[] = [];
    const mint = tokens.generateTokenValue;
    jest.spyOn(tokens, 'generateTokenValue').mockImplementation(() => {
      const value = mint();
      minted.push(value);
      return value;
    });
    const log: string[] = [];
    const start = (options = {}) => startBackend({ ...options, log: (line) => log.push(line) });
    const printed: string[] = [];
    const reporters = (name: string) =>
      createReporters({
        baseDir: folder,
        junit: `${name}.xml`,
        json: `${name}.json`,
        html: `${name}.html`,
        console: {
          stream: { write: (chunk: string) => (printed.push(chunk), true) },
          isTTY: false,
          color: false,
        },
      });

    const { scenarios, problems } = await loadScenarios([join(projectRoot(), 'scenarios')]);
    expect(problems).toEqual([]);
    // The scenarios that handle token values most: typed by hand (in groups), exported, replaced.
    const aboutTokens = scenarios.filter((loaded) =>
      /entered-by-hand|export-token|token-replaced|revoked/.test(loaded.file),
    );
    expect(aboutTokens.map((loaded) => basename(loaded.file)).sort()).toEqual([
      'export-token-for-knox-mobile-enrollment.yaml',
      'export-token-for-zero-touch.yaml',
      'staging-token-entered-by-hand.yaml',
      'staging-token-replaced.yaml',
      'staging-token-revoked-before-scan.yaml',
      'zero-touch-revoked-and-expired-token.yaml',
    ]);
    const target = new HeadlessTarget();
    try {
      const scenarioReport = await runScenarios(aboutTokens, {
        target,
        reporter: reporters('scenarios'),
        startBackend: start,
      });
      expect(scenarioReport.failed).toBe(0);
      const passing = await runModelSuite({
        target,
        strategy: 'shortest',
        maxPaths: 2,
        seed: 7,
        reporter: reporters('model'),
        startBackend: () => start(),
      });
      expect(passing.failed).toBe(0);
      // A broken device fails paths: failure reports carry replays, screens and page sources.
      const failing = await runModelSuite({
        target: sabotage(target, 'wrong-account'),
        strategy: 'shortest',
        maxPaths: 2,
        seed: 7,
        reporter: reporters('failing'),
        startBackend: () => start(),
      });
      expect(failing.failed).toBeGreaterThan(0);
    } finally {
      await target.close();
    }

    expect(minted.length).toBeGreaterThan(10);
    const outputs = [
      ...filesUnder(folder).map((file) => ({ where: file, text: readFileSync(file, 'utf8') })),
      { where: 'console', text: printed.join('') },
      { where: 'backend log', text: log.join('\n') },
    ];
    expect(outputs.map((output) => output.where.split('/').at(-1))).toEqual(
      expect.arrayContaining([
        'scenarios.xml',
        'scenarios.json',
        'scenarios.html',
        'failing.html',
        'console',
        'backend log',
      ]),
    );
    expect(
      outputs.flatMap((output) =>
        leaks(output.text, minted).map((value) => `${output.where}: …${value.slice(-4)}`),
      ),
    ).toEqual([]);
    // The log names tokens by their last four symbols.
    expect(log.some((line) => minted.some((value) => line.includes(`…${value.slice(-4)}`)))).toBe(true);
  }, 120_000);

  test('the stagesim backend process logs created and replaced tokens masked to their last four symbols', async () => {
    const backend = await BackendChild.start(['--port', '0']);
    try {
      const admin = new GraphTestClient(backend.url);
      const profile = await createProfile(admin, { displayName: 'Logged' });
      expect(
        (await admin.post(`${PROFILES}/${profile.id}/createToken`, { tokenValidityInSeconds: 3600 })).status,
      ).toBe(204);
      const replacement = (await admin.get(`${PROFILES}/${profile.id}`)).body.tokenValue as string;
      await admin.post(`${PROFILES}/${profile.id}/revokeToken`);
      await backend.stop();
      const stderr = backend.stderr();
      expect(leaks(stderr, [profile.tokenValue, replacement])).toEqual([]);
      expect(stderr).toContain(`…${profile.tokenValue.slice(-4)}`);
      expect(stderr).toContain(`…${replacement.slice(-4)}`);
    } finally {
      if (backend.child.exitCode === null) await backend.kill9();
    }
  });
});
