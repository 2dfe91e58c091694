/** jest globalTeardown: ends leftover sessions and stops the Appium server globalSetup started. */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__stagesimAppium;
  globalThis.__stagesimAppium = undefined;
  if (!server) return;
  // A server that will not close must not hold the run: after 15 s jest goes on (and exits).
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write('stagesim: the Appium server did not close within 15 s\n');
      resolve();
    }, 15_000);
  });
  await Promise.race([server.stop(), giveUp]).finally(() => clearTimeout(timer));
}
