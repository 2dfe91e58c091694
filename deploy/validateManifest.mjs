#!/usr/bin/env node
// Checks Kubernetes manifests against the Kubernetes API's own OpenAPI schemas, with no cluster:
//   node deploy/validateManifest.mjs deploy/fleet-indexed-job.yaml [more.yaml ...]
// Each document is validated by kubernetes-models, whose validators are generated from the schemas the
// Kubernetes API server publishes (types, enums such as a Job's completionMode, formats), so a manifest
// edited here is checked against Kubernetes rather than against this project's idea of it. It does not
// catch an unknown field name (the published schemas allow extra fields; `kubectl apply
// --validate=strict` would). Prints one line per document; exit 0 when every one is valid, 1 when one is
// not, 2 when a file cannot be read or parsed as YAML.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/** The kubernetes-models module of an apiVersion: "v1" is the core group, "batch/v1" a named one. */
const moduleOf = (apiVersion) => `kubernetes-models/${apiVersion}`;

async function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) return null;
  try {
    const models = await import(moduleOf(apiVersion));
    return typeof models[kind] === 'function' ? models[kind] : null;
  } catch {
    return null;
  }
}

/** The first problem ajv found, as one line: where in the document, what, and what is allowed. */
function problem(error) {
  const first = error.errors?.[0];
  if (!first) return error.message.split('\n')[0];
  const allowed = first.params?.allowedValues;
  const field = first.instancePath.slice(1).replaceAll('/', '.') || '(the document)';
  return `${field}: ${first.message}${allowed ? ` (${allowed.join(', ')})` : ''}`;
}

async function check(file) {
  let documents;
  try {
    documents = parseAllDocuments(readFileSync(file, 'utf8'));
  } catch (error) {
    return { lines: [`${file}: cannot read it: ${error.message}`], code: 2 };
  }
  const lines = [];
  let code = 0;
  for (const [index, document] of documents.entries()) {
    const where = `${file}: document ${index + 1}`;
    if (document.errors.length > 0) {
      lines.push(`${where}: not YAML: ${document.errors[0].message.split('\n')[0].replace(/:$/, '')}`);
      code = 2;
      continue;
    }
    const value = document.toJSON();
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      lines.push(`${where}: not a Kubernetes object (expected a mapping with apiVersion and kind)`);
      code = Math.max(code, 1);
      continue;
    }
    const { apiVersion, kind, metadata } = value;
    const name = `${kind} ${metadata?.name ?? '(no name)'}`;
    const Model = await modelOf(apiVersion, kind);
    if (!Model) {
      lines.push(`${where} (${name}): Kubernetes has no kind ${kind} in ${apiVersion}`);
      code = Math.max(code, 1);
      continue;
    }
    try {
      new Model(value).validate();
      lines.push(`${where} (${name}): valid`);
    } catch (error) {
      lines.push(`${where} (${name}): ${problem(error)}`);
      code = Math.max(code, 1);
    }
  }
  return { lines, code };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node deploy/validateManifest.mjs FILE.yaml [FILE.yaml ...]\n');
  process.exit(2);
}
let exitCode = 0;
for (const file of files) {
  const { lines, code } = await check(file);
  for (const line of lines) process.stdout.write(`${line}\n`);
  exitCode = Math.max(exitCode, code);
}
process.exit(exitCode);
