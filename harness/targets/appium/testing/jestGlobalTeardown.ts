/** jest globalTeardown: ends leftover sessions and stops the Appium server globalSetup started. */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__stagesimAppium;
  globalThis.__stagesimAppium = undefined;
  await server?.stop();
}
