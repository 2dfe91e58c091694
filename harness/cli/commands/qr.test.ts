import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addNoise, blur, codeFrame, qrcodeModules } from '../../../agent/camera/synthetic/frames';
import { encodePng, pngClaimingSize } from '../../../agent/camera/synthetic/pngFiles';
import { buildProvisioningPayload, serializeProvisioningPayload } from '../../../agent/provisioning/payload';
import { renderQrPng } from '../../backend/qr/renderQrPng';
import { runCli } from '../../testing/cli';

// Each test starts stagesim processes; on a busy CI machine (or through ts-node when dist/ is stale) that
// takes seconds each.
jest.setTimeout(120_000);

const TOKEN = 'K7PQ3MZX9WRT2HVB4NCE';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagesim-qr-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bad-input run: exit 2, nothing on stdout, one line on stderr naming the problem, no stack trace. */
function expectOneLineRefusal(
  result: { code: number | null; stdout: string; stderr: string },
  text: string | RegExp,
) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^stagesim: /);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr.trimEnd()).toMatch(text);
}

describe('stagesim qr encode', () => {
  it("writes exactly the PNG the backend renders, and decode prints the payload's JSON", async () => {
    const out = join(dir, 'wifi.png');
    const encoded = await runCli([
      'qr',
      'encode',
      '--token',
      TOKEN,
      '--wifi-ssid',
      'Staging Lab',
      '--wifi-password',
      'correct horse',
      '--wifi-security',
      'WPA',
      '--out',
      out,
    ]);
    expect(encoded).toEqual({ code: 0, stdout: `wrote ${out}\n`, stderr: '' });

    const payload = buildProvisioningPayload({
      token: TOKEN,
      wifi: { ssid: 'Staging Lab', password: 'correct horse', security: 'WPA' },
    });
    expect(readFileSync(out).equals(renderQrPng(serializeProvisioningPayload(payload)))).toBe(true);

    const decoded = await runCli(['qr', 'decode', out]);
    expect(decoded.stderr).toBe('');
    expect(decoded.code).toBe(0);
    expect(JSON.parse(decoded.stdout)).toEqual(payload);
  });

  it('reads the token as a person types it, and fills in what the Wi-Fi options leave out', async () => {
    const typed = join(dir, 'typed.png');
    const canonical = join(dir, 'canonical.png');
    const results = await Promise.all([
      runCli([
        'qr',
        'encode',
        '--token',
        'k7pq-3mzx 9wrt-2hvb-4nce',
        '--wifi-ssid',
        'Guest',
        '--mobile-data',
        '--out',
        typed,
      ]),
      runCli([
        'qr',
        'encode',
        '--token',
        TOKEN,
        '--wifi-ssid',
        'Guest',
        '--wifi-security',
        'none',
        '--mobile-data',
        '--out',
        canonical,
      ]),
    ]);
    expect(results.map((result) => result.code)).toEqual([0, 0]);
    expect(readFileSync(typed).equals(readFileSync(canonical))).toBe(true);
    const payload = JSON.parse((await runCli(['qr', 'decode', typed])).stdout) as Record<string, unknown>;
    expect(payload).toMatchObject({
      'android.app.extra.PROVISIONING_WIFI_SSID': 'Guest',
      'android.app.extra.PROVISIONING_WIFI_SECURITY_TYPE': 'NONE',
      'android.app.extra.PROVISIONING_USE_MOBILE_DATA': true,
    });
  });

  it('refuses bad tokens and Wi-Fi options: exit 2, one line, no file', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--token', `O${TOKEN.slice(1)}`],
        /cannot encode: character 1 of the token, "O", is not used in tokens.*\(TOKEN_INVALID_CHARACTER\)$/,
      ],
      [['--token', 'ABCDEFGH'], /cannot encode: a token has 20 characters; got 8 \(TOKEN_WRONG_LENGTH\)$/],
      [['--token', ' '], /\(TOKEN_EMPTY\)$/],
      [
        ['--token', TOKEN, '--wifi-ssid', 'Lab', '--wifi-security', 'WPA3'],
        /--wifi-security must be one of NONE, WPA, WEP, EAP, got "WPA3"/,
      ],
      [['--token', TOKEN, '--wifi-password', 'pw'], /need --wifi-ssid/],
      [
        ['--token', TOKEN, '--wifi-ssid', 'Lab', '--wifi-password', 'pw', '--wifi-security', 'NONE'],
        /open network.*\(PROVISIONING_OPTIONS_INVALID\)$/,
      ],
    ];
    const outs = cases.map((_, i) => join(dir, `refused-${i}.png`));
    const results = await Promise.all(
      cases.map(([args], i) => runCli(['qr', 'encode', ...args, '--out', outs[i]!])),
    );
    results.forEach((result, i) => expectOneLineRefusal(result, cases[i]![1]));
    expect(outs.filter((out) => existsSync(out))).toEqual([]);
  });

  it('says so when the file cannot be written', async () => {
    expectOneLineRefusal(
      await runCli(['qr', 'encode', '--token', TOKEN, '--out', join(dir, 'no-such-folder', 'x.png')]),
      /cannot write .*no-such-folder.*ENOENT/,
    );
  });

  it('exits 2 without --token', async () => {
    const result = await runCli(['qr', 'encode', '--out', join(dir, 'x.png')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--token <token>' not specified");
  });
});

describe('stagesim qr decode', () => {
  it('reads a camera frame: a small, turned, blurred code on a cluttered desk', async () => {
    const text = serializeProvisioningPayload(buildProvisioningPayload({ token: TOKEN }));
    const frame = join(dir, 'frame.png');
    writeFileSync(
      frame,
      encodePng(
        addNoise(blur(codeFrame(qrcodeModules(text), { modulePixels: 3.5, angleDegrees: 23 }), 0.7), 5),
        'rgb',
      ),
    );
    const result = await runCli(['qr', 'decode', frame]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(text));
  });

  const file = (name: string, content: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const payloadWithout = (key: string) => {
    const payload = JSON.parse(
      serializeProvisioningPayload(buildProvisioningPayload({ token: TOKEN })),
    ) as Record<string, unknown>;
    delete payload[key];
    return JSON.stringify(payload);
  };

  it('refuses every kind of bad file with exit 2 and one line naming the file and the problem', async () => {
    const good = renderQrPng(serializeProvisioningPayload(buildProvisioningPayload({ token: TOKEN })), {
      modulePixels: 3,
    });
    const cases: [string[], RegExp][] = [
      [[join(dir, 'missing.png')], /cannot read .*missing\.png: ENOENT/],
      [[file('notes.png', Buffer.from('just text\n'))], /notes\.png: not a PNG image .*\(FRAME_NOT_PNG\)$/],
      [
        [file('cut.png', good.subarray(0, good.length - 100))],
        /cut\.png: the PNG ends at byte .*\(FRAME_TRUNCATED\)$/,
      ],
      [
        [
          file(
            'blank.png',
            encodePng(
              codeFrame(qrcodeModules('x'), { width: 320, height: 240, modulePixels: 4, centerX: -500 }),
              'grey',
            ),
          ),
        ],
        /blank\.png: no readable QR code in the 320x240 camera frame \(QR_NOT_FOUND\)$/,
      ],
      [
        [file('text.png', renderQrPng('hello, not JSON', { modulePixels: 4 }))],
        /text\.png: the QR code does not hold JSON: "hello, not JSON" \(QR_NOT_JSON\)$/,
      ],
      [
        [file('other.png', renderQrPng('{"name":"Ada"}', { modulePixels: 4 }))],
        /other\.png: not a provisioning payload: .*COMPONENT_NAME.*missing.*\(QR_NOT_PROVISIONING\)$/,
      ],
      [
        [
          file(
            'tokenless.png',
            renderQrPng(payloadWithout('android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE'), {
              modulePixels: 3,
            }),
          ),
        ],
        /tokenless\.png: the provisioning payload holds no enrollment token.*\(QR_NO_TOKEN\)$/,
      ],
      [
        [file('huge.png', pngClaimingSize(20_000, 20_000))],
        /huge\.png: the image is 20000x20000 .*at most 4096 pixels a side and 16 MP \(FRAME_TOO_LARGE\)$/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['qr', 'decode', ...args])));
    results.forEach((result, i) => expectOneLineRefusal(result, cases[i]![1]));
  });
});
