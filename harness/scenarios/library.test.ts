import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { projectRoot } from '../../agent/projectRoot';
import { formatProblem, loadScenarios } from './loader';

/** The shipped library under scenarios/: what issue 6 asks it to prove, one file per line of the document. */
const REQUIRED = [
  'staging-fully-managed-happy-path',
  'staging-work-profile-happy-path',
  'default-token-fully-managed',
  'default-token-work-profile',
  'staging-token-entered-by-hand',
  'manual-entry-refused-on-work-profile-android-11',
  'staging-token-expired-before-stage-2',
  'staging-token-expired-after-stage-2',
  'staging-token-revoked-before-scan',
  'staging-token-replaced',
  'export-token-for-zero-touch',
  'export-token-for-knox-mobile-enrollment',
  'android-7-device-refused',
  'android-10-without-wifi',
  'batch-of-10-devices-staged-with-one-token',
  'report-names-before-and-after-sign-in',
  'assignment-filter-targets-in-stage-2',
  'dynamic-device-group-only-after-stage-3',
  'user-group-policies-after-sign-in',
  'power-loss-during-enrollment-in-progress',
  'factory-reset-and-re-stage',
  'sign-in-on-never-staged-device',
  'checksum-mismatch-cant-set-up-device',
  // Issue 15: zero-touch and KME devices, admin refusals, profile fields, edits and deletion.
  'zero-touch-device-staged-from-exported-json',
  'knox-mobile-enrollment-samsung-devices',
  'zero-touch-revoked-and-expired-token',
  'admin-center-refuses-staging-tokens-it-does-not-offer',
  'device-name-template-edit-and-delete-profile',
];

describe('the shipped scenario library', () => {
  const folder = join(projectRoot(), 'scenarios');

  it('loads without a single problem and has every scenario issues 6 and 15 ask for', async () => {
    const { scenarios, problems } = await loadScenarios([folder]);
    expect(problems.map(formatProblem)).toEqual([]);
    const names = scenarios.map((loaded) => basename(loaded.file).replace(/\.yaml$/, ''));
    expect(names).toEqual(expect.arrayContaining(REQUIRED));
  });

  it('names each file after what it proves, with the schema line editors read, a unique name and a description', async () => {
    const { scenarios } = await loadScenarios([folder]);
    for (const { file, scenario } of scenarios) {
      expect(basename(file)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*\.yaml$/);
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(
        '# yaml-language-server: $schema=./scenario.schema.json',
      );
      expect(scenario.description.length).toBeGreaterThan(80);
    }
    const titles = scenarios.map(({ scenario }) => scenario.name);
    expect(new Set(titles).size).toBe(titles.length);
  });
});
