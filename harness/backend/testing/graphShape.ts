import { join } from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../../../agent/projectRoot';

/**
 * Checks objects the backend answered against @microsoft/microsoft-graph-types-beta by asking the
 * TypeScript compiler: each object becomes an object literal assigned to its Graph interface, so a
 * property the type does not have (excess property check) or a value of the wrong type (a string for a
 * number, a value outside an enum) is a compile error. '@odata.type' is not a declared property in the
 * typings (it is an OData annotation) and is checked separately by the caller; simulator fields are left
 * out by the caller too. One program checks a whole batch, since reading the 60,000-line .d.ts is most of
 * the cost.
 */

export interface ShapeCase {
  /** The .d.ts interface, e.g. AndroidDeviceOwnerGeneralDeviceConfiguration. */
  interfaceName: string;
  /** What the backend answered. */
  value: Record<string, unknown>;
  /** Names the case in error messages. */
  label: string;
}

const CHECK_FILE = join(projectRoot(), '__graph_shape_check__.ts');

/**
 * Drops '@odata.type' at every level: nested objects typed as a base type (an assignment's target, an
 * app assignment's settings) must be checked by the caller as their own case, against their subtype.
 */
function withoutAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAnnotations);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '@odata.type')
      .map(([key, inner]) => [key, withoutAnnotations(inner)]),
  );
}

export function graphShapeProblems(cases: ShapeCase[]): string[] {
  const lines = ["import type * as G from '@microsoft/microsoft-graph-types-beta';"];
  cases.forEach(({ interfaceName, value }, index) => {
    lines.push(
      `export const case${index}: G.${interfaceName} = ${JSON.stringify(withoutAnnotations(value))};`,
    );
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (file === CHECK_FILE ? source : readFile(file));
  host.fileExists = (file) => file === CHECK_FILE || fileExists(file);
  host.getSourceFile = (file, language, onError, shouldCreate) =>
    file === CHECK_FILE
      ? ts.createSourceFile(file, source, language)
      : getSourceFile(file, language, onError, shouldCreate);
  const program = ts.createProgram([CHECK_FILE], options, host);
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].filter(
    (d) => d.file?.fileName === CHECK_FILE,
  );
  return diagnostics.map((diagnostic) => {
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const label = cases[line - 1]?.label ?? `line ${line}`;
    return `${label}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}
