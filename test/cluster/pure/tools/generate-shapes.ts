// Generates test/cluster/pure/tools/shapes.generated.ts: the
// property trees of the modelled core kinds, read from the kubernetes-models
// type declarations with the TypeScript checker. The strict unknown-field
// check walks them (the models' own validators accept unknown fields). The
// Gateway API kinds' trees come from their CRDs instead (generate-schemas.ts).
//
//   npx tsx test/cluster/pure/tools/generate-shapes.ts          write the file
//   generateShapesSource()                                        the text (drift test)
import ts from 'typescript';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
// Kept beside its generator, not in the shipped tree: nothing runs on it; the
// server validates with schemas.generated.ts, which generate-schemas.ts builds
// from these shapes.
export const outputPath = path.join(repo, 'test/cluster/pure/tools/shapes.generated.ts');

/** apiVersion kind → module and interface declaring it. */
const roots: Record<string, [string, string]> = {
  'v1 Namespace': ['kubernetes-models/v1/Namespace', 'INamespace'],
  'v1 Secret': ['kubernetes-models/v1/Secret', 'ISecret'],
  'v1 ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1 Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1 Pod': ['kubernetes-models/v1/Pod', 'IPod'],
  'v1 ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'v1 Event': ['kubernetes-models/v1/Event', 'IEvent'],
  'discovery.k8s.io/v1 EndpointSlice': ['kubernetes-models/discovery.k8s.io/v1/EndpointSlice', 'IEndpointSlice'],
  'apps/v1 Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'apiextensions.k8s.io/v1 CustomResourceDefinition': ['kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition', 'ICustomResourceDefinition'],
};

type Shape = Record<string, unknown>;

/** The property trees: a root definition name per `apiVersion kind`, and the definitions they reference. */
export function generateShapes(): { roots: Record<string, string>; definitions: Record<string, Shape> } {
  const entry = path.join(repo, 'test/cluster/pure/tools/.shapes-entry.ts');
  const lines = Object.entries(roots).map(([key, [module, name]], i) => `import type { ${name} as T${i} } from '${module}';\nexport type R${i} = T${i}; // ${key}`);
  const host = ts.createCompilerHost({});
  const source = lines.join('\n');
  const originalGet = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError, create) =>
    path.resolve(file) === entry ? ts.createSourceFile(file, source, language) : originalGet(file, language, onError, create);
  const originalExists = host.fileExists.bind(host);
  host.fileExists = (file) => path.resolve(file) === entry || originalExists(file);
  const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, baseUrl: repo }, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  if (!file) throw new Error('generator entry not found');
  const definitions: Record<string, Shape> = {};
  const names = new Map<ts.Symbol, string>();
  const used = new Set<string>();

  function definitionName(symbol: ts.Symbol): string {
    const known = names.get(symbol);
    if (known) return known;
    const declaration = symbol.declarations?.[0];
    const fileName = declaration?.getSourceFile().fileName ?? 'unknown';
    const relative = fileName.split('node_modules/').pop()!.replace(/\.d\.ts$/, '').replace(/^@kubernetes-models\//, '');
    let name = `${relative}#${symbol.getName()}`;
    for (let n = 2; used.has(name); n++) name = `${relative}#${symbol.getName()}${n}`;
    used.add(name);
    names.set(symbol, name);
    return name;
  }

  function shape(type: ts.Type, depth: number): Shape {
    if (depth > 60) return { 'x-kubernetes-preserve-unknown-fields': true };
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return { 'x-kubernetes-preserve-unknown-fields': true };
    if (type.isUnion()) {
      const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      const objects = parts.filter((t) => t.flags & ts.TypeFlags.Object);
      if (objects.length === 1 && parts.length === 1) return shape(objects[0], depth);
      if (objects.length > 0) return { 'x-kubernetes-preserve-unknown-fields': true };
      return {};
    }
    if (!(type.flags & ts.TypeFlags.Object)) return {};
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      return { type: 'array', items: shape(element, depth + 1) };
    }
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    const properties = checker.getPropertiesOfType(type);
    if (index && properties.length === 0) return { type: 'object', additionalProperties: shape(index.type, depth + 1) };
    if (properties.length === 0) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (!symbol) return { 'x-kubernetes-preserve-unknown-fields': true };
    const name = definitionName(symbol);
    if (!definitions[name]) {
      const definition: Shape = { type: 'object', properties: {} };
      definitions[name] = definition;
      const props: Record<string, Shape> = {};
      for (const property of properties) {
        const declaration = property.valueDeclaration ?? property.declarations?.[0];
        if (!declaration) continue;
        props[property.getName()] = shape(checker.getTypeOfSymbolAtLocation(property, declaration), depth + 1);
      }
      definition.properties = props;
    }
    return { $ref: name };
  }

  const rootRefs: Record<string, string> = {};
  Object.keys(roots).forEach((key, i) => {
    const alias = file.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === `R${i}`);
    if (!alias) throw new Error(`no alias for ${key}`);
    const result = shape(checker.getTypeAtLocation(alias.name), 0);
    if (typeof result.$ref !== 'string') throw new Error(`${key} did not resolve to an interface (is the package installed?)`);
    rootRefs[key] = result.$ref;
  });
  return { roots: rootRefs, definitions };
}

export function generateShapesSource(): string {
  const { roots: rootRefs, definitions } = generateShapes();
  const sortedDefinitions = Object.keys(definitions).sort().map((name) => `  ${JSON.stringify(name)}: ${JSON.stringify(definitions[name])},`);
  return [
    '// Generated by test/cluster/pure/tools/generate-shapes.ts from the kubernetes-models',
    '// type declarations — do not edit; regenerate after upgrading that package.',
    "import type { Schema } from '../../../../source/cluster/embedded/validation/schema.js';",
    '',
    `export const roots: Record<string, string> = ${JSON.stringify(rootRefs, null, 2)};`,
    '',
    'export const definitions: Record<string, Schema> = {',
    ...sortedDefinitions,
    '};',
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(outputPath, generateShapesSource());
  console.log(`wrote ${path.relative(repo, outputPath)}`);
}
