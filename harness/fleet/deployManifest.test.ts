import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Secret, type IConfigMap, type ISecret } from 'kubernetes-models/v1';
import { Job, type IJob } from 'kubernetes-models/batch/v1';
import { projectRoot } from '../../agent/projectRoot';
import { parseFleetFlags } from '../cli/commands/fleet';
import { shardRange } from './shardRange';

// deploy/fleet-indexed-job.yaml as Kubernetes would read it. No cluster runs here, so the test reads the
// manifest into kubernetes-models' Job, ConfigMap and Secret (their validators generated from the schemas
// the Kubernetes API server publishes, as deploy/validateManifest.mjs uses them), resolves the `$(VAR)`
// references the way the kubelet does from the manifest's own ConfigMap and Secret, and hands every pod's
// arguments to the CLI's own flag parser: each index gets its shard, and the shards hold the whole fleet
// once. What only the API server checks beyond those schemas is checked here, each with its source.

const MANIFEST = join(projectRoot(), 'deploy', 'fleet-indexed-job.yaml');

// An RFC 1123 label, what Kubernetes requires of container names and of these objects' names
// (kubernetes.io/docs/concepts/overview/working-with-objects/names); the published schemas do not say it.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function manifest() {
  const documents = parseAllDocuments(readFileSync(MANIFEST, 'utf8'));
  for (const document of documents) expect(document.errors).toEqual([]);
  const objects = documents.map((document) => document.toJS() as { kind?: string });
  const valid = <T extends { validate(): void; metadata?: { name?: string } }>(model: T): T => {
    model.validate();
    expect(model.metadata?.name).toMatch(DNS_LABEL);
    return model;
  };
  const jobs = objects.filter((o) => o.kind === 'Job').map((o) => valid(new Job(o as IJob)));
  expect(jobs).toHaveLength(1);
  const configMaps = objects
    .filter((o) => o.kind === 'ConfigMap')
    .map((o) => valid(new ConfigMap(o as IConfigMap)));
  const secrets = objects.filter((o) => o.kind === 'Secret').map((o) => valid(new Secret(o as ISecret)));
  const spec = jobs[0]!.spec!;
  // What this Job is made of, and what the API server asks of a Job beyond the schemas: a pod template
  // whose restartPolicy is Never or OnFailure (kubernetes.io/docs/concepts/workloads/controllers/job).
  expect(spec.completionMode).toBe('Indexed');
  expect(spec.template.spec?.restartPolicy).toMatch(/^(Never|OnFailure)$/);
  const containers = spec.template.spec!.containers;
  expect(containers).toHaveLength(1);
  const container = containers[0]!;
  expect(container.name).toMatch(DNS_LABEL);
  return {
    completions: spec.completions!,
    parallelism: spec.parallelism!,
    command: container.command ?? [],
    args: container.args ?? [],
    envFrom: container.envFrom ?? [],
    configMaps,
    secrets,
  };
}

/** The environment of the Job's container, from its envFrom sources (which must be in the file). */
function environment(m: ReturnType<typeof manifest>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of m.envFrom) {
    if (source.configMapRef) {
      const map = m.configMaps.find((c) => c.metadata?.name === source.configMapRef!.name);
      expect(map?.data).toBeDefined();
      Object.assign(env, map!.data);
    } else {
      const secret = m.secrets.find((s) => s.metadata?.name === source.secretRef?.name);
      expect(secret?.stringData).toBeDefined();
      Object.assign(env, secret!.stringData);
    }
  }
  return env;
}

/** `$(VAR)` as the kubelet expands it in args; a reference to nothing would be left as it is: a failure here. */
function expand(arg: string, env: Record<string, string>): string {
  return arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_, name: string) => {
    if (!(name in env)) throw new Error(`$(${name}) is not defined in the container's environment`);
    return env[name]!;
  });
}

/** The fleet's flags as commander hands them to the command: camelCase names, string values, --json true. */
function flagsOf(args: string[]): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i += 1) {
    const name = args[i]!.replace(/^--/, '').replace(/-([a-z])/g, (_, letter: string) =>
      letter.toUpperCase(),
    );
    if (name === 'json') flags.json = true;
    else {
      flags[name] = args[i + 1];
      i += 1;
    }
  }
  return flags;
}

describe('deploy/fleet-indexed-job.yaml', () => {
  test('is an Indexed Job whose pods run stagesim fleet, with --shard n equal to completions', () => {
    const m = manifest();
    expect(m.parallelism).toBeLessThanOrEqual(m.completions);
    const bin = (
      JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { bin: { stagesim: string } }
    ).bin.stagesim;
    expect(m.command).toEqual(['node', bin, 'fleet']);
    const shard = m.args[m.args.indexOf('--shard') + 1];
    expect(shard).toBe(`$(JOB_COMPLETION_INDEX)/${m.completions}`);
  });

  test("every pod's arguments parse as the CLI parses them, and the shards hold the fleet once", () => {
    const m = manifest();
    const { completions, args } = m;
    const env = environment(m);
    let next = 0;
    for (let index = 0; index < completions; index += 1) {
      // The control plane sets JOB_COMPLETION_INDEX (0 to completions - 1) in every pod of an Indexed Job.
      const podEnv = { ...env, JOB_COMPLETION_INDEX: String(index) };
      const options = parseFleetFlags(flagsOf(args.map((arg) => expand(arg, podEnv))), podEnv);
      expect(options.shard).toEqual({ index, count: completions });
      expect(options.backend).toBe(env.STAGESIM_BACKEND);
      expect(options.adminKey).toBe(env.STAGESIM_ADMIN_KEY);
      // No fixed prefix: each pod picks its own, so a second run of the Job reuses no serial number.
      expect(options.serialPrefix).toBeUndefined();
      const range = shardRange(options.devices, options.shard);
      expect(range.first).toBe(next);
      next += range.size;
    }
    expect(next).toBe(Number(env.FLEET_DEVICES));
  });

  test('a reference to a variable nobody defines is caught, as Kubernetes would leave it unexpanded', () => {
    expect(() => expand('$(NO_SUCH_VARIABLE)', {})).toThrow(/is not defined/);
  });
});

describe("deploy/validateManifest.mjs: the manifest against Kubernetes' own schemas", () => {
  const validate = (...files: string[]) => {
    const run = spawnSync(
      process.execPath,
      [join(projectRoot(), 'deploy', 'validateManifest.mjs'), ...files],
      {
        encoding: 'utf8',
      },
    );
    return { code: run.status, lines: run.stdout.trim().split('\n'), stderr: run.stderr };
  };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stagesim-manifest-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const written = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test('every document of the shipped manifest is valid', () => {
    expect(validate(MANIFEST)).toEqual({
      code: 0,
      lines: [
        `${MANIFEST}: document 1 (ConfigMap stagesim-fleet): valid`,
        `${MANIFEST}: document 2 (Secret stagesim-admin-key): valid`,
        `${MANIFEST}: document 3 (Job stagesim-fleet): valid`,
      ],
      stderr: '',
    });
  });

  test('a value Kubernetes does not allow is one line naming the field and what is allowed', () => {
    const text = readFileSync(MANIFEST, 'utf8');
    expect(text).toContain('completionMode: Indexed');
    const file = written('mode.yaml', text.replace('completionMode: Indexed', 'completionMode: Indexd'));
    const result = validate(file);
    expect(result.code).toBe(1);
    expect(result.lines[2]).toBe(
      `${file}: document 3 (Job stagesim-fleet): spec.completionMode: must be equal to one of the allowed values (Indexed, NonIndexed)`,
    );
    const count = written('count.yaml', text.replace(/completions: \d+/, 'completions: four'));
    expect(validate(count).lines[2]).toBe(
      `${count}: document 3 (Job stagesim-fleet): spec.completions: must be integer`,
    );
  });

  test('an unknown kind, a document that is no object, broken YAML and a missing file each get one line', () => {
    const odd = written(
      'odd.yaml',
      'apiVersion: batch/v1\nkind: Jobb\nmetadata: {name: x}\n---\n- a list\n---\nkey: [unclosed\n',
    );
    const result = validate(odd, join(dir, 'missing.yaml'));
    expect(result.code).toBe(2);
    expect(result.lines).toEqual([
      `${odd}: document 1 (Jobb x): Kubernetes has no kind Jobb in batch/v1`,
      `${odd}: document 2: not a Kubernetes object (expected a mapping with apiVersion and kind)`,
      expect.stringContaining(`${odd}: document 3: not YAML: `),
      expect.stringMatching(/missing\.yaml: cannot read it: ENOENT/),
    ]);
    expect(validate().code).toBe(2);
  });
});
