import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * Checks JSON the backend answered against Microsoft's own Graph beta definitions
 * (@microsoft/microsoft-graph-types-beta, one microsoft-graph.d.ts), read with the TypeScript compiler
 * API so nothing here restates what Graph's types say:
 *
 *   expectGraphShape(body, 'AndroidDeviceOwnerEnrollmentProfile');
 *   expectGraphCollection(listBody, 'ManagedDevice');
 *
 * The concrete type of an object is its `@odata.type` when it has one ('#microsoft.graph.managedDevice'
 * is ManagedDevice, '#microsoft.graph.callRecords.session' CallRecords.Session); it must be the expected
 * type or derive from it through `extends`. Reported: a property the type (with everything it extends)
 * lacks, a string outside an enum's union, a null where the type does not allow null, a value of the
 * wrong primitive type or shape. Properties named simulator… are the simulator's own: they pass when
 * harness/backend/README.md documents them (in backticks) and are reported otherwise.
 */
export interface ShapeProblem {
  /** Where, as a JSON path from the checked value: `value[2].qrCodeImage.type`. */
  path: string;
  message: string;
}

export interface ShapeCheckOptions {
  /** simulator… property names that pass; default: every one harness/backend/README.md names. */
  simulatorFields?: ReadonlySet<string>;
}

const TYPES_FILE = join(
  dirname(require.resolve('@microsoft/microsoft-graph-types-beta/package.json')),
  'microsoft-graph.d.ts',
);
const README = join(__dirname, '..', 'README.md');
const GRAPH_PREFIX = '#microsoft.graph.';

/** Instance annotations Graph puts on objects and collections (OData JSON format, section 4.5). */
const ANNOTATIONS = new Set([
  '@odata.type',
  '@odata.context',
  '@odata.id',
  '@odata.etag',
  '@odata.editLink',
  '@odata.nextLink',
  '@odata.deltaLink',
  '@odata.count',
]);

interface GraphTypes {
  checker: ts.TypeChecker;
  /** Top-level exports of the .d.ts, and those of each namespace (CallRecords, Ediscovery, …). */
  modules: Map<string, Map<string, ts.Symbol>>;
}

let loaded: GraphTypes | undefined;

function graphTypes(): GraphTypes {
  if (loaded) return loaded;
  // strict so that NullableOption<T> keeps its null and optional properties their undefined.
  const program = ts.createProgram([TYPES_FILE], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es5.d.ts'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(TYPES_FILE);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot read the Graph types in ${TYPES_FILE}`);
  const modules = new Map<string, Map<string, ts.Symbol>>();
  const top = new Map<string, ts.Symbol>();
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    top.set(symbol.name, symbol);
    if (symbol.flags & ts.SymbolFlags.Namespace) {
      modules.set(symbol.name, new Map(checker.getExportsOfModule(symbol).map((s) => [s.name, s])));
    }
  }
  modules.set('', top);
  loaded = { checker, modules };
  return loaded;
}

const capitalize = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** The interface named by a type name ('ManagedDevice', 'CallRecords.Session') or an @odata.type. */
function interfaceFor(name: string): ts.InterfaceType | undefined {
  const { checker, modules } = graphTypes();
  let namespace = '';
  let local = name;
  if (name.startsWith(GRAPH_PREFIX)) {
    const parts = name.slice(GRAPH_PREFIX.length).split('.');
    local = capitalize(parts.pop()!);
    if (parts.length > 0) {
      // The typings rename a namespace that collides with an entity (deviceManagement -> DeviceManagementNamespace).
      const wanted = parts.map(capitalize).join('.');
      namespace = modules.has(wanted) ? wanted : `${wanted}Namespace`;
    }
  } else if (name.includes('.')) {
    [namespace, local] = name.split('.', 2) as [string, string];
  }
  const symbol = modules.get(namespace)?.get(local);
  if (!symbol || !(symbol.flags & ts.SymbolFlags.Interface)) return undefined;
  return checker.getDeclaredTypeOfSymbol(symbol) as ts.InterfaceType;
}

/** Whether `type` is `base` or extends it, following every `extends` clause up the chain. */
function derivesFrom(type: ts.InterfaceType, base: ts.InterfaceType): boolean {
  if (type === base) return true;
  return (graphTypes().checker.getBaseTypes(type) as ts.InterfaceType[]).some((parent) =>
    derivesFrom(parent, base),
  );
}

let documented: Set<string> | undefined;
function documentedSimulatorFields(): Set<string> {
  documented ??= new Set(
    [...readFileSync(README, 'utf8').matchAll(/`(simulator[A-Z][A-Za-z0-9]*)`/g)].map((m) => m[1]!),
  );
  return documented;
}

const describeValue = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `${typeof value} ${JSON.stringify(value)}`;

class Checker {
  readonly problems: ShapeProblem[] = [];
  private readonly checker = graphTypes().checker;

  constructor(private readonly simulatorFields: ReadonlySet<string>) {}

  private report(path: string, message: string) {
    this.problems.push({ path: path || '(root)', message });
  }

  /** An object whose declared type is `declared`: its @odata.type may name a derived type. */
  object(value: Record<string, unknown>, declared: ts.InterfaceType, path: string, topLevel = false) {
    let type = declared;
    const odataType = value['@odata.type'];
    if (odataType !== undefined) {
      const named = typeof odataType === 'string' ? interfaceFor(odataType) : undefined;
      if (!named) {
        this.report(
          join2(path, '@odata.type'),
          `${describeValue(odataType)} names no type in the Graph beta types`,
        );
        return;
      }
      if (!derivesFrom(named, declared)) {
        this.report(
          join2(path, '@odata.type'),
          `${odataType} is not ${this.name(declared)} nor does it extend it`,
        );
        return;
      }
      type = named;
    }
    const properties = new Map(this.checker.getPropertiesOfType(type).map((p) => [p.name, p]));
    for (const [key, item] of Object.entries(value)) {
      const at = join2(path, key);
      if (key.startsWith('@odata.')) {
        if (!ANNOTATIONS.has(key) || (!topLevel && (key === '@odata.context' || key === '@odata.count')))
          this.report(at, `${key} is not an annotation Graph puts here`);
        continue;
      }
      if (/^simulator[A-Z]/.test(key)) {
        if (!this.simulatorFields.has(key))
          this.report(at, `${key} is a simulator field harness/backend/README.md does not document`);
        continue;
      }
      const property = properties.get(key);
      if (!property) {
        this.report(at, `${this.name(type)} has no property ${key}`);
        continue;
      }
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (!declaration) continue;
      // The written type keeps its alias (ManagementState, NullableOption<…>) for the messages.
      const written =
        ts.isPropertySignature(declaration) && declaration.type
          ? this.checker.getTypeFromTypeNode(declaration.type)
          : this.checker.getTypeOfSymbolAtLocation(property, declaration);
      this.value(item, written, at);
    }
  }

  value(value: unknown, type: ts.Type, path: string): void {
    const members = type.isUnion() ? type.types : [type];
    const allowsNull = members.some((m) => m.flags & ts.TypeFlags.Null);
    if (members.some((m) => m.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return;
    if (value === null) {
      if (!allowsNull) this.report(path, `null, but ${this.typeText(type)} does not allow null`);
      return;
    }
    const candidates = members.filter(
      (m) => !(m.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)),
    );
    const literals = candidates.filter((m) => m.isStringLiteral()) as ts.StringLiteralType[];
    if (literals.length > 0 && literals.length === candidates.length) {
      if (typeof value !== 'string') {
        this.report(path, `${describeValue(value)}, expected one of ${this.typeText(type)}`);
      } else if (!literals.some((l) => l.value === value)) {
        this.report(
          path,
          `"${value}" is not a value of ${this.typeText(type)} (${literals.map((l) => l.value).join(', ')})`,
        );
      }
      return;
    }
    // Booleans are the union true | false; they come through as two literal members.
    if (candidates.some((m) => m.flags & ts.TypeFlags.BooleanLike) && typeof value === 'boolean') return;
    if (candidates.some((m) => m.flags & ts.TypeFlags.StringLike) && typeof value === 'string') return;
    if (candidates.some((m) => m.flags & ts.TypeFlags.NumberLike) && typeof value === 'number') return;
    const array = candidates.find((m) => this.checker.isArrayType(m));
    if (array && Array.isArray(value)) {
      const element = this.checker.getTypeArguments(array as ts.TypeReference)[0]!;
      value.forEach((item, index) => this.value(item, element, `${path}[${index}]`));
      return;
    }
    const object = candidates.find(
      (m) => m.flags & ts.TypeFlags.Object && !this.checker.isArrayType(m) && m.isClassOrInterface(),
    );
    if (object && typeof value === 'object' && !Array.isArray(value)) {
      this.object(value as Record<string, unknown>, object as ts.InterfaceType, path);
      return;
    }
    this.report(path, `${describeValue(value)}, expected ${this.typeText(type)}`);
  }

  private name(type: ts.Type) {
    return this.checker.typeToString(type);
  }

  /** How Graph's typings write the type: ManagementState, string | null, boolean. */
  private typeText(type: ts.Type): string {
    if (type.aliasSymbol?.name === 'NullableOption' && type.aliasTypeArguments?.[0])
      return `${this.typeText(type.aliasTypeArguments[0])} | null`;
    if (type.aliasSymbol) return type.aliasSymbol.name;
    const members = type.isUnion() ? type.types : [type];
    const shown = members.filter((m) => !(m.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    const names = shown.every((m) => m.flags & ts.TypeFlags.BooleanLiteral)
      ? ['boolean']
      : shown.map((m) => this.checker.typeToString(m));
    if (members.some((m) => m.flags & ts.TypeFlags.Null)) names.push('null');
    return names.join(' | ');
  }
}

const join2 = (path: string, key: string) => (path ? `${path}.${key}` : key);

function typeOrThrow(typeName: string): ts.InterfaceType {
  const type = interfaceFor(typeName);
  if (!type) throw new Error(`${typeName} is not an interface of the Graph beta types`);
  return type;
}

/** The property names of a Graph type, inherited ones included: what a body of that type may carry. */
export function graphPropertiesOf(typeName: string): string[] {
  return graphTypes()
    .checker.getPropertiesOfType(typeOrThrow(typeName))
    .map((property) => property.name)
    .sort();
}

/** Every problem of `value` as a `typeName` (an interface name or an @odata.type), none when it fits. */
export function checkGraphShape(value: unknown, typeName: string, options: ShapeCheckOptions = {}) {
  const checker = new Checker(options.simulatorFields ?? documentedSimulatorFields());
  const declared = typeOrThrow(typeName);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    checker.problems.push({ path: '(root)', message: `${describeValue(value)}, expected an object` });
  } else {
    checker.object(value as Record<string, unknown>, declared, '', true);
  }
  return checker.problems;
}

/** The same for a collection response: `{ value: [...] }` with its annotations. */
export function checkGraphCollection(body: unknown, typeName: string, options: ShapeCheckOptions = {}) {
  const checker = new Checker(options.simulatorFields ?? documentedSimulatorFields());
  const declared = typeOrThrow(typeName);
  if (body === null || typeof body !== 'object' || !Array.isArray((body as { value?: unknown }).value)) {
    checker.problems.push({ path: '(root)', message: 'expected a collection: an object with a value array' });
    return checker.problems;
  }
  for (const [key, item] of Object.entries(body as Record<string, unknown>)) {
    if (key === 'value') continue;
    if (!['@odata.context', '@odata.nextLink', '@odata.count', '@odata.deltaLink'].includes(key)) {
      checker.problems.push({ path: key, message: `${key} does not belong on a Graph collection` });
    } else if (key === '@odata.count' ? !Number.isInteger(item) : typeof item !== 'string') {
      checker.problems.push({ path: key, message: `${describeValue(item)} is not a valid ${key}` });
    }
  }
  (body as { value: unknown[] }).value.forEach((item, index) => {
    const path = `value[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      checker.problems.push({ path, message: `${describeValue(item)}, expected an object` });
    } else {
      checker.object(item as Record<string, unknown>, declared, path);
    }
  });
  return checker.problems;
}

function throwIfAny(problems: ShapeProblem[], typeName: string) {
  if (problems.length === 0) return;
  const lines = problems.slice(0, 20).map((p) => `  ${p.path}: ${p.message}`);
  if (problems.length > 20) lines.push(`  … and ${problems.length - 20} more`);
  throw new Error(`not a Graph ${typeName}:\n${lines.join('\n')}`);
}

/** Throws, listing every problem, unless `value` fits `typeName`. */
export function expectGraphShape(value: unknown, typeName: string, options?: ShapeCheckOptions): void {
  throwIfAny(checkGraphShape(value, typeName, options), typeName);
}

/** Throws, listing every problem, unless `body` is a collection of `typeName`. */
export function expectGraphCollection(body: unknown, typeName: string, options?: ShapeCheckOptions): void {
  throwIfAny(checkGraphCollection(body, typeName, options), typeName);
}
