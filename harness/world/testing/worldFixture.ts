import { startBackend, type RunningBackend } from '../../backend/server';
import type { BackendOptions } from '../../backend/options';
import { AdminClient } from '../AdminClient';
import { EnrollmentWorld } from '../EnrollmentWorld';

export interface WorldFixture {
  backend: RunningBackend;
  admin: AdminClient;
  world: EnrollmentWorld;
  close(): Promise<void>;
}

/** A real backend on a loopback port with its admin client, for tests that need one. */
export async function startWorld(prefix = 'test', options: BackendOptions = {}): Promise<WorldFixture> {
  const backend = await startBackend(options);
  const admin = new AdminClient(backend.url);
  return { backend, admin, world: new EnrollmentWorld(admin, prefix), close: () => backend.close() };
}
