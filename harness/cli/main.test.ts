import { packageVersion } from '../../agent/projectRoot';
import { runCli } from '../testing/cli';

describe('stagesim', () => {
  test('--help lists every command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['run', 'model', 'fleet', 'backend', 'qr', 'diagram', 'demo'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  test('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${packageVersion()}\n` });
  });

  test('an unknown command or option is one clear line and exit 2', async () => {
    for (const args of [['enroll'], ['--colour']]) {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(
        /^error: (unknown command 'enroll'|unknown option '--colour')/,
      );
    }
  });

  test('demo walks one device through stages 1 to 3 on the embedded backend', async () => {
    const result = await runCli(['demo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Stage 2 (vendor)');
    expect(result.stdout).toMatch(
      /backend: staged, "Staging_XX1234_AndroidEnterprise_\d\d\/\d\d\/\d{4}_\d{1,2}\.\d\d (AM|PM)", userless/,
    );
    expect(result.stdout).toMatch(
      /screen: You're all set: ready for work \[enrolled\] · stage enrolled · user john@contoso\.com/,
    );
    expect(result.stdout).toMatch(/backend: enrolled, "john@contoso\.com_AndroidEnterprise_/);
  });
});
