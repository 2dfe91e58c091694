import { startBackend, type RunningBackend } from '../backend/server';
import { AdminClient } from './AdminClient';

/**
 * The admin client over a backend that goes away and comes back on the same port, as `restartBackend`
 * does: node's keep-alive agent holds the socket of the last call, which the old backend closed.
 */
describe('AdminClient across a backend restart', () => {
  let backend: RunningBackend | null = null;
  afterEach(async () => {
    await backend?.close();
    backend = null;
  });

  /** Closes the backend and starts a new one on its port; the client's call before it kept a socket. */
  async function restart(): Promise<void> {
    const { port } = backend!;
    await backend!.close();
    backend = await startBackend({ port });
  }

  const profile = {
    displayName: 'Frontline staging',
    enrollmentMode: 'corporateOwnedFullyManaged',
    enrollmentTokenType: 'deviceStaging',
  } as const;

  it('answers the first call after the restart: a read', async () => {
    backend = await startBackend();
    const admin = new AdminClient(backend.url);
    await admin.createProfile(profile);
    await restart();
    await expect(admin.ledger()).resolves.toEqual([]);
  });

  it('answers the first call after the restart: a create, made once', async () => {
    backend = await startBackend();
    const admin = new AdminClient(backend.url);
    await admin.ledger();
    await restart();
    const created = await admin.createProfile(profile);
    expect((await admin.listProfiles()).map((one) => one.id)).toEqual([created.id]);
  });

  it('still fails, once and clearly, for a backend that is gone', async () => {
    backend = await startBackend();
    const admin = new AdminClient(backend.url);
    await admin.ledger();
    await backend.close();
    backend = null;
    await expect(admin.ledger()).rejects.toMatchObject({
      code: 'BACKEND_UNREACHABLE',
      message: expect.stringMatching(
        /^cannot reach the backend at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
      ),
    });
  });
});
