import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { z } from 'zod';
import { projectRoot } from '../../../agent/projectRoot';

// deploy/grid/appium-node.toml as Selenium Grid 4 reads it. No Java and no Grid run here, so the file
// is parsed with a TOML parser and held to the node configs of Appium's guide "Appium and Selenium Grid"
// (appium/appium, packages/appium/docs/en/guides/grid.md): [server] port, [node] detect-drivers = false,
// [events] publish and subscribe on the hub's event bus, [relay] url, status-endpoint "/status" and
// configs, pairs of a session count and a JSON stereotype; and the stereotype names the driver this
// repository ships, as its package.json declares it to Appium.

const FILE = join(projectRoot(), 'deploy', 'grid', 'appium-node.toml');

const tcpUrl = z.string().regex(/^tcp:\/\/[^:/\s]+:\d+$/);
const nodeConfigSchema = z.object({
  server: z.object({ port: z.number().int().min(1).max(65_535) }),
  node: z.object({ 'detect-drivers': z.literal(false) }),
  events: z.object({ publish: tcpUrl, subscribe: tcpUrl }),
  relay: z.object({
    url: z.url({ protocol: /^https?$/ }),
    'status-endpoint': z.literal('/status'),
    configs: z.array(z.string()).min(2),
  }),
});

const stereotypeSchema = z.object({ platformName: z.string(), 'appium:automationName': z.string() });

const nodeConfig = () => nodeConfigSchema.parse(parse(readFileSync(FILE, 'utf8')));

describe('deploy/grid/appium-node.toml', () => {
  test("has the sections of the node configs in Appium's Grid guide", () => {
    const config = nodeConfig();
    expect(config.node['detect-drivers']).toBe(false);
    // The hub's default event bus ports, which the guide's nodes point at.
    expect(config.events.publish).toMatch(/:4442$/);
    expect(config.events.subscribe).toMatch(/:4443$/);
  });

  test('relays sessions whose stereotype names the stagesim driver to an Appium server', () => {
    const config = nodeConfig();
    const { configs } = config.relay;
    expect(configs.length % 2).toBe(0);
    const driver = JSON.parse(
      readFileSync(join(projectRoot(), 'agent', 'appium-driver', 'package.json'), 'utf8'),
    ) as { appium: { automationName: string; platformNames: string[] } };
    for (let i = 0; i < configs.length; i += 2) {
      expect(configs[i]).toMatch(/^[1-9]\d*$/);
      const stereotype = stereotypeSchema.parse(JSON.parse(configs[i + 1]!));
      expect(stereotype['appium:automationName']).toBe(driver.appium.automationName);
      expect(driver.appium.platformNames).toContain(stereotype.platformName);
    }
    // The relay points at an Appium server's own port, as emulator-scripts/start-appium.sh starts it.
    expect(new URL(config.relay.url).port).toBe('4723');
  });
});
