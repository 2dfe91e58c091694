import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEPT_OUTPUT_CHARS, runToEnd, startUntil } from './childProcess';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const node = (script: string) => [process.execPath, ['-e', script]] as const;

describe('runToEnd', () => {
  it('answers the exit code and everything printed on both streams', async () => {
    const [command, args] = node(
      "process.stdout.write('out '.repeat(20000)); console.error('err'); process.exitCode = 3",
    );
    const ended = await runToEnd(command, args);
    expect(ended).toEqual({ code: 3, signal: null, stdout: 'out '.repeat(20000), stderr: 'err\n' });
  });

  it('closes stdin at once: a program reading it to its end does not wait', async () => {
    const [command, args] = node(
      "let n = 0; process.stdin.on('data', (c) => (n += c.length)).on('end', () => console.log('read', n))",
    );
    expect(await runToEnd(command, args)).toMatchObject({ code: 0, stdout: 'read 0\n' });
  });

  it('runs in the folder and with the environment it is given', async () => {
    const [command, args] = node('console.log(process.cwd(), process.env.STAGESIM_CHILD_TEST)');
    const ended = await runToEnd(command, args, {
      cwd: '/tmp',
      env: { ...process.env, STAGESIM_CHILD_TEST: 'yes' },
    });
    expect(ended.stdout).toBe('/tmp yes\n');
  });

  it('kills a program that outlives its timeout and answers what it printed', async () => {
    const [command, args] = node("console.log('started'); setInterval(() => {}, 1000)");
    const ended = await runToEnd(command, args, { timeoutMs: 1_000 });
    expect(ended).toEqual({ code: null, signal: 'SIGKILL', stdout: 'started\n', stderr: '' });
  });

  it('rejects a program that does not exist', async () => {
    await expect(runToEnd('/nonexistent/stagesim', [])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('startUntil', () => {
  it('keeps a character whose bytes come in two writes whole', async () => {
    // The euro sign is three bytes in UTF-8: two go out, then the third a moment later.
    const [command, args] = node(
      "process.stdout.write(Buffer.from([0xe2, 0x82])); setTimeout(() => { process.stdout.write(Buffer.from([0xac])); console.log(' ready'); }, 100); setTimeout(() => process.exit(0), 300)",
    );
    const started = await startUntil(command, args, { ready: /ready/ });
    await started.exited;
    expect(started.stdout()).toBe('\u20ac ready\n');
  });

  it('keeps the last KEPT_OUTPUT_CHARS of a stream that goes on printing', async () => {
    const chunk = 64 * 1024;
    const chunks = Math.ceil(KEPT_OUTPUT_CHARS / chunk) + 8;
    const [command, args] = node(
      `console.log('ready'); let i = 0; const next = () => { if (i === ${chunks}) { process.stdout.write('end'); return; } i += 1; process.stdout.write(String(i % 10).repeat(${chunk}), next); }; next();`,
    );
    const started = await startUntil(command, args, { ready: /ready/ });
    await started.exited;
    const kept = started.stdout();
    expect(kept).toHaveLength(KEPT_OUTPUT_CHARS);
    expect(kept.endsWith(`${String(chunks % 10).repeat(chunk)}end`)).toBe(true);
    expect(kept).not.toContain('ready');
  });

  it('answers once the ready line is printed, and keeps the output that follows', async () => {
    const [command, args] = node(
      "console.log('booting'); setTimeout(() => console.log('listening on http://127.0.0.1:4321'), 200); process.stdin.resume(); setTimeout(() => { console.log('later'); process.exit(0) }, 400)",
    );
    const started = await startUntil(command, args, { ready: /listening on (http:\/\/\S+)/ });
    expect(started.match[1]).toBe('http://127.0.0.1:4321');
    expect(await started.exited).toEqual({ code: 0, signal: null });
    expect(started.stdout()).toBe('booting\nlistening on http://127.0.0.1:4321\nlater\n');
  });

  it('watches stderr when told to', async () => {
    const [command, args] = node("console.error('metrics at http://x'); setTimeout(() => {}, 300)");
    const started = await startUntil(command, args, { ready: /metrics at (\S+)/, on: 'stderr' });
    expect(started.match[1]).toBe('http://x');
    await started.exited;
  });

  it('rejects with one line and the stderr when the program exits before it is ready', async () => {
    const [command, args] = node("console.error('cannot listen'); process.exit(2)");
    await expect(startUntil(command, args, { ready: /listening/, name: 'stagesim backend' })).rejects.toThrow(
      'stagesim backend exited (2) before printing /listening/: cannot listen\n',
    );
  });

  it('kills a program that is not ready within its timeout', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stagesim-child-'));
    const pidFile = join(folder, 'pid');
    try {
      const [command, args] = node(
        `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`,
      );
      const failed = startUntil(command, args, { ready: /listening/, timeoutMs: 1_000, name: 'slow' });
      await expect(failed).rejects.toThrow('slow printed nothing matching /listening/ within 1000 ms: ');
      const pid = Number(readFileSync(pidFile, 'utf8'));
      // SIGKILL was sent; the kernel reaps it within moments.
      for (let tries = 0; tries < 100 && alive(pid); tries += 1) await new Promise((r) => setTimeout(r, 20));
      expect(alive(pid)).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
