import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBackend, type RunningBackend } from '../../backend/server';
import { GraphTestClient, createProfile } from '../../backend/testing/graphTestClient';
import { localCaTls } from '../../backend/tls/serverTls';
import { stagesimCommand } from '../testing/stagesimProcess';

/**
 * Commands that take --backend, against a backend serving HTTPS and WSS from the local CA, trusted the
 * way `stagesim backend --tls` tells users to: NODE_EXTRA_CA_CERTS.
 */
let dir: string;
let backend: RunningBackend;
let caPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagesim-https-'));
  const tls = localCaTls(dir, '127.0.0.1');
  caPath = tls.caPath!;
  backend = await startBackend({ tls });
});
afterAll(async () => {
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function stagesim(args: string[]) {
  const command = stagesimCommand(args);
  try {
    const { stdout, stderr } = await promisify(execFile)(command.command, command.args, {
      cwd: command.cwd,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath, STAGESIM_ADMIN_KEY: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('--backend https://', () => {
  it('stagesim run drives a scenario against it (admin API over HTTPS, devices over WSS)', async () => {
    const result = await stagesim([
      'run',
      '--backend',
      backend.url,
      'scenarios/staging-fully-managed-happy-path.yaml',
    ]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/1 passed/);
  });

  it('stagesim fleet enrolls devices through it', async () => {
    const profile = await createProfile(
      GraphTestClient.for(backend, undefined, readFileSync(caPath, 'utf8')),
      {
        displayName: 'Fleet over TLS',
      },
    );
    const result = await stagesim([
      'fleet',
      '--backend',
      backend.url,
      '--profile',
      profile.id,
      '--devices',
      '5',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ failed: 0 });
  });
});
