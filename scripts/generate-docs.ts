// Writes the provider's documentation in the Terraform Registry layout from the provider's own
// schema (schema/provider.json) and the example files under examples/ (same layout as the
// Registry's doc tooling expects):
//   docs/index.md                        ← provider schema + examples/provider/provider.tf
//   docs/resources/<name>.md             ← examples/resources/managed_<name>/resource.tf (+ import.sh)
//   docs/data-sources/<name>.md          ← examples/data-sources/managed_<name>/data-source.tf
//   docs/ephemeral-resources/<name>.md   ← examples/ephemeral-resources/managed_<name>/ephemeral-resource.tf
//   docs/functions/<name>.md             ← examples/functions/<name>/function.tf
// Every kind the schema holds gets its pages, so a new resource, ephemeral resource or function
// is documented by adding its example and running `npm run generate:docs`; a missing example is
// an error. docs/guides/ is written by hand and only linked from the index.
// Usage: `npm run generate:docs`, or `tsx scripts/generate-docs.ts <outDir>` (the staleness test).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROVIDER_ADDRESS } from '../provider/src/managed/address';

const REPO_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_DOCS_DIR = path.join(REPO_ROOT, 'docs');
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const PROVIDER_SCHEMA_FILE = path.join(REPO_ROOT, 'schema', 'provider.json');
/** The folders this generator owns; anything else under docs/ (guides/) is left alone. */
export const GENERATED_PATHS = ['index.md', 'resources', 'data-sources', 'ephemeral-resources', 'functions'];

type CtyType = string | [string, ...unknown[]];

interface SchemaAttribute {
  type?: CtyType;
  nested_type?: { attributes: Record<string, SchemaAttribute>; nesting_mode: string };
  description?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  deprecated?: boolean;
  write_only?: boolean;
}

interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, { nesting_mode: string; block: SchemaBlock; min_items?: number; max_items?: number }>;
  description?: string;
  deprecated?: boolean;
}

interface FunctionParameter {
  name: string;
  type: CtyType;
  description?: string;
  is_nullable?: boolean;
}

interface FunctionSignature {
  summary?: string;
  description?: string;
  return_type: CtyType;
  parameters?: FunctionParameter[];
  variadic_parameter?: FunctionParameter;
  deprecation_message?: string;
}

interface ProviderSchemas {
  provider: { block: SchemaBlock };
  resource_schemas?: Record<string, { block: SchemaBlock }>;
  data_source_schemas?: Record<string, { block: SchemaBlock }>;
  ephemeral_resource_schemas?: Record<string, { block: SchemaBlock }>;
  functions?: Record<string, FunctionSignature>;
}

/** One kind of page: where its pages go, where its examples are, how the Registry names it. */
interface PageKind {
  readonly folder: 'resources' | 'data-sources' | 'ephemeral-resources';
  readonly label: string;
  readonly exampleFile: string;
  readonly hclKeyword: string;
}

const BLOCK_KINDS: ReadonlyArray<PageKind & { readonly schemaKey: 'resource_schemas' | 'data_source_schemas' | 'ephemeral_resource_schemas' }> = [
  { schemaKey: 'resource_schemas', folder: 'resources', label: 'Resource', exampleFile: 'resource.tf', hclKeyword: 'resource' },
  { schemaKey: 'data_source_schemas', folder: 'data-sources', label: 'Data Source', exampleFile: 'data-source.tf', hclKeyword: 'data' },
  {
    schemaKey: 'ephemeral_resource_schemas',
    folder: 'ephemeral-resources',
    label: 'Ephemeral Resource',
    exampleFile: 'ephemeral-resource.tf',
    hclKeyword: 'ephemeral',
  },
];

export function readProviderSchemas(file: string = PROVIDER_SCHEMA_FILE): { typeName: string; schemas: ProviderSchemas } {
  const document = JSON.parse(fs.readFileSync(file, 'utf8')) as { provider_schemas?: Record<string, ProviderSchemas> };
  const schemas = document.provider_schemas?.[PROVIDER_ADDRESS];
  if (!schemas) throw new Error(`${path.relative(REPO_ROOT, file)} has no provider_schemas["${PROVIDER_ADDRESS}"]`);
  return { typeName: PROVIDER_ADDRESS.split('/')[2]!, schemas };
}

/** Terraform's own spelling of a type constraint, e.g. `set(string)`, `map(list(string))`. */
export function typeLabel(type: CtyType): string {
  if (typeof type === 'string') return type;
  const [kind, element] = type;
  if (kind === 'object') {
    const fields = element as Record<string, CtyType>;
    return `object({ ${Object.keys(fields)
      .sort()
      .map((name) => `${name} = ${typeLabel(fields[name]!)}`)
      .join(', ')} })`;
  }
  if (kind === 'tuple') return `tuple([${(element as CtyType[]).map(typeLabel).join(', ')}])`;
  return `${kind}(${typeLabel(element as CtyType)})`;
}

function sorted<T>(record: Record<string, T> | undefined): Array<[string, T]> {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function attributeLine(name: string, attribute: SchemaAttribute, anchorPrefix: string): string {
  const notes: string[] = [];
  if (attribute.optional && attribute.computed) notes.push('computed when not set');
  if (attribute.sensitive) notes.push('sensitive');
  if (attribute.write_only) notes.push('write-only: never stored in state or plan');
  if (attribute.deprecated) notes.push('deprecated');
  const type = attribute.nested_type
    ? `${attribute.nested_type.nesting_mode} of attributes, see [below](#${anchorPrefix}${name})`
    : typeLabel(attribute.type ?? 'dynamic');
  const description = (attribute.description ?? '').trim();
  return `- <a id="${anchorPrefix}${name}"></a>\`${name}\` (${type}${notes.length > 0 ? `; ${notes.join('; ')}` : ''})${description ? ` ${description}` : ''}`;
}

/**
 * Argument Reference (what a configuration may set) and Attribute Reference (what only the
 * provider sets), nested attributes and blocks in their own subsections.
 */
function renderBlock(block: SchemaBlock, headingLevel: number, anchorPrefix = '', withAttributeReference = true): string[] {
  const heading = '#'.repeat(headingLevel);
  const attributes = sorted(block.attributes);
  const required = attributes.filter(([, attribute]) => attribute.required);
  const optional = attributes.filter(([, attribute]) => attribute.optional);
  const readOnly = attributes.filter(([, attribute]) => attribute.computed && !attribute.optional && !attribute.required);
  const blocks = sorted(block.block_types);
  const lines: string[] = [];
  lines.push(`${heading} Argument Reference`, '');
  if (required.length + optional.length + blocks.length === 0) lines.push('This takes no arguments.', '');
  if (required.length > 0) lines.push('Required:', '', ...required.map(([name, attribute]) => attributeLine(name, attribute, anchorPrefix)), '');
  if (optional.length > 0) lines.push('Optional:', '', ...optional.map(([name, attribute]) => attributeLine(name, attribute, anchorPrefix)), '');
  for (const [name, nested] of blocks) {
    const limits = [nested.min_items ? `at least ${nested.min_items}` : '', nested.max_items ? `at most ${nested.max_items}` : ''].filter(Boolean).join(', ');
    lines.push(
      `- <a id="${anchorPrefix}${name}"></a>\`${name}\` (block, ${nested.nesting_mode}${limits ? `, ${limits}` : ''}) ${(nested.block.description ?? '').trim()} See [below](#nested-${anchorPrefix}${name}).`.trimEnd(),
    );
  }
  if (blocks.length > 0) lines.push('');
  if (!withAttributeReference) return lines;
  lines.push(`${heading} Attribute Reference`, '');
  lines.push(readOnly.length > 0 ? 'In addition to the arguments above, these are exported:' : 'Only the arguments above are exported.', '');
  if (readOnly.length > 0) lines.push(...readOnly.map(([name, attribute]) => attributeLine(name, attribute, anchorPrefix)), '');
  for (const [name, nested] of blocks) {
    lines.push(
      `<a id="nested-${anchorPrefix}${name}"></a>`,
      `${heading}# Nested block \`${name}\``,
      '',
      ...renderBlock(nested.block, headingLevel + 2, `${anchorPrefix}${name}--`),
    );
  }
  for (const [name, attribute] of attributes) {
    if (!attribute.nested_type) continue;
    lines.push(
      `${heading}# Nested attributes of \`${name}\``,
      '',
      ...renderBlock({ attributes: attribute.nested_type.attributes }, headingLevel + 2, `${anchorPrefix}${name}--`),
    );
  }
  return lines;
}

function frontMatter(title: string, description: string): string[] {
  const indented = description
    .trim()
    .split('\n')
    .map((line) => `  ${line}`);
  return ['---', `page_title: "${title}"`, 'subcategory: ""', 'description: |-', ...indented, '---', ''];
}

function readExample(examplesDir: string, relativePath: string, what: string): string {
  const file = path.join(examplesDir, relativePath);
  if (!fs.existsSync(file)) throw new Error(`${what} has no example: write examples/${relativePath} (the docs show it and a test applies it)`);
  return fs.readFileSync(file, 'utf8').trimEnd();
}

function exampleSection(language: 'terraform' | 'shell', code: string, heading = '## Example Usage'): string[] {
  return [heading, '', `\`\`\`${language}`, code, '```', ''];
}

function renderBlockPage(examplesDir: string, typeName: string, name: string, kind: PageKind, block: SchemaBlock, importExample: string | undefined): string {
  const description = (block.description ?? '').trim() || `The ${name} ${kind.label.toLowerCase()}.`;
  const lines = [
    ...frontMatter(`${name} ${kind.label} - ${typeName}`, description),
    `# ${name} (${kind.label})`,
    '',
    description,
    '',
    ...exampleSection('terraform', readExample(examplesDir, path.join(kind.folder, name, kind.exampleFile), `${kind.hclKeyword} "${name}"`)),
    ...renderBlock(block, 2),
  ];
  if (importExample !== undefined) lines.push(...exampleSection('shell', importExample, '## Import'));
  return `${lines.join('\n').trimEnd()}\n`;
}

function renderFunctionPage(examplesDir: string, typeName: string, name: string, signature: FunctionSignature): string {
  const summary = (signature.summary ?? signature.description ?? '').trim() || `The ${name} function.`;
  const parameters = signature.parameters ?? [];
  const call = [
    ...parameters.map((parameter) => `${parameter.name} ${typeLabel(parameter.type)}`),
    ...(signature.variadic_parameter ? [`${signature.variadic_parameter.name}... ${typeLabel(signature.variadic_parameter.type)}`] : []),
  ];
  const parameterLine = (parameter: FunctionParameter, variadic: boolean) =>
    `- \`${parameter.name}\` (${typeLabel(parameter.type)}${variadic ? ', variadic' : ''}${parameter.is_nullable ? ', may be null' : ''})${parameter.description ? ` ${parameter.description.trim()}` : ''}`;
  const lines = [...frontMatter(`${name} function - ${typeName}`, summary), `# function: ${name}`, '', (signature.description ?? summary).trim(), ''];
  if (signature.deprecation_message) lines.push(`**Deprecated:** ${signature.deprecation_message.trim()}`, '');
  lines.push(...exampleSection('terraform', readExample(examplesDir, path.join('functions', name, 'function.tf'), `function "${name}"`)));
  lines.push('## Signature', '', '```text', `${name}(${call.join(', ')}) ${typeLabel(signature.return_type)}`, '```', '');
  lines.push('## Arguments', '');
  if (parameters.length === 0 && !signature.variadic_parameter) lines.push('This function takes no arguments.');
  lines.push(...parameters.map((parameter) => parameterLine(parameter, false)));
  if (signature.variadic_parameter) lines.push(parameterLine(signature.variadic_parameter, true));
  lines.push('', `Call it as \`provider::${typeName}::${name}(…)\`; it needs Terraform 1.8 or later.`, '');
  return `${lines.join('\n').trimEnd()}\n`;
}

function pageName(typeName: string, name: string): string {
  return name.startsWith(`${typeName}_`) ? name.slice(typeName.length + 1) : name;
}

function renderIndex(
  examplesDir: string,
  typeName: string,
  schemas: ProviderSchemas,
  pages: ReadonlyArray<{ label: string; entries: Array<[string, string]> }>,
  guides: readonly string[],
): string {
  const description = (schemas.provider.block.description ?? '').trim() || `The ${typeName} provider.`;
  const lines = [
    ...frontMatter(`${typeName} Provider`, description),
    `# ${typeName} Provider`,
    '',
    description,
    '',
    `Source address: \`${PROVIDER_ADDRESS}\`. Release packages are installed from a filesystem mirror; see the repository's README, section "Installing from a release".`,
    '',
    ...exampleSection('terraform', readExample(examplesDir, path.join('provider', 'provider.tf'), 'the provider')),
    ...renderBlock(schemas.provider.block, 2, '', false),
  ];
  for (const { label, entries } of pages) {
    if (entries.length === 0) continue;
    lines.push(`## ${label}`, '', ...entries.map(([name, link]) => `- [${name}](${link})`), '');
  }
  if (guides.length > 0) lines.push('## Guides', '', ...guides.map((guide) => `- [${guide}](guides/${guide}.md)`), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

export interface DocsSources {
  readonly schemaFile?: string;
  readonly examplesDir?: string;
  /** Hand-written guides to link from the index (docs/guides). */
  readonly guidesDir?: string;
}

/** Every generated page, by path relative to the docs directory. */
export function renderDocs(sources: DocsSources = {}): Map<string, string> {
  const schemaFile = sources.schemaFile ?? PROVIDER_SCHEMA_FILE;
  const examplesDir = sources.examplesDir ?? EXAMPLES_DIR;
  const guidesDir = sources.guidesDir ?? path.join(DEFAULT_DOCS_DIR, 'guides');
  const { typeName, schemas } = readProviderSchemas(schemaFile);
  const pages = new Map<string, string>();
  const index: Array<{ label: string; entries: Array<[string, string]> }> = [];
  for (const kind of BLOCK_KINDS) {
    const entries: Array<[string, string]> = [];
    for (const [name, { block }] of sorted(schemas[kind.schemaKey])) {
      const file = `${kind.folder}/${pageName(typeName, name)}.md`;
      const importFile = path.join(examplesDir, kind.folder, name, 'import.sh');
      const importExample = kind.folder === 'resources' && fs.existsSync(importFile) ? fs.readFileSync(importFile, 'utf8').trimEnd() : undefined;
      pages.set(file, renderBlockPage(examplesDir, typeName, name, kind, block, importExample));
      entries.push([name, file]);
    }
    index.push({ label: `${kind.label}s`, entries });
  }
  const functions: Array<[string, string]> = [];
  for (const [name, signature] of sorted(schemas.functions)) {
    pages.set(`functions/${name}.md`, renderFunctionPage(examplesDir, typeName, name, signature));
    functions.push([`provider::${typeName}::${name}`, `functions/${name}.md`]);
  }
  index.push({ label: 'Functions', entries: functions });
  const guides = fs.existsSync(guidesDir)
    ? fs
        .readdirSync(guidesDir)
        .filter((file) => file.endsWith('.md'))
        .map((file) => file.slice(0, -3))
        .sort()
    : [];
  pages.set('index.md', renderIndex(examplesDir, typeName, schemas, index, guides));
  return pages;
}

/** Rewrites the generated part of `docsDir` (stale pages of a removed resource disappear too). */
export function generateDocs(docsDir: string = DEFAULT_DOCS_DIR): string[] {
  const pages = renderDocs();
  for (const generated of GENERATED_PATHS) fs.rmSync(path.join(docsDir, generated), { recursive: true, force: true });
  for (const [file, content] of pages) {
    fs.mkdirSync(path.dirname(path.join(docsDir, file)), { recursive: true });
    fs.writeFileSync(path.join(docsDir, file), content);
  }
  return [...pages.keys()].sort();
}

if (require.main === module) {
  try {
    const files = generateDocs(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_DOCS_DIR);
    console.log(`generated ${files.length} pages: ${files.join(', ')}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
