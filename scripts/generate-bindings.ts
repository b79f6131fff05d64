// Generates everything under cdktf-bindings/generated/ from the two schema files:
//   schema/provider.json -> the L1 provider bindings, one folder per CDK runtime
//   schema/scopes.json   -> scopes.ts with the `Scope` and `Preset` literal types
// Usage: `npm run generate:bindings` (writes into cdktf-bindings/generated), or
//        `tsx scripts/generate-bindings.ts <outDir>` (what the staleness test does).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addOverrideModifiers } from './add-override-modifiers';
import { PROVIDER_ADDRESS } from '../provider/src/managed/address';

const REPO_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, 'cdktf-bindings', 'generated');
const PROVIDER_SCHEMA_FILE = path.join(REPO_ROOT, 'schema', 'provider.json');
const SCOPE_CATALOG_FILE = path.join(REPO_ROOT, 'schema', 'scopes.json');
const PROVIDER_NAME = 'managed';

/**
 * A CDK runtime we generate L1 bindings for. Bindings generated for one runtime crash inside
 * another one's App (cdktf vs its maintained fork cdktn), so each runtime gets its own folder
 * and its own generator package. Adding cdktn means adding one entry to RUNTIMES.
 */
interface BindingsRuntime {
  /** Folder under the output dir, and the package the generated code imports. */
  readonly name: string;
  /** Where the runtime package resolves from, before the repository root (cdktn sits in its workspace). */
  readonly moduleRoots: readonly string[];
  /** Runs that runtime's provider generator for `schema` into `outDir`. */
  generate(schema: unknown, versionConstraint: string, outDir: string): Promise<void>;
}

const RUNTIMES: Record<string, BindingsRuntime> = {
  cdktf: {
    name: 'cdktf',
    moduleRoots: [REPO_ROOT],
    async generate(schema, versionConstraint, outDir) {
      // The package root of @cdktf/provider-generator 0.21 loads jsii-pacmak at import time without
      // declaring it, so take the TypeScript generator from its own module.
      const { TerraformProviderGenerator } = await import('@cdktf/provider-generator/lib/get/generator/provider-generator');
      const { ConstructsMakerProviderTarget, TerraformProviderConstraint, Language } = await import('@cdktf/commons');
      const { CodeMaker } = await import('codemaker');
      const generator = new TerraformProviderGenerator(new CodeMaker(), schema as never);
      generator.generate(
        new ConstructsMakerProviderTarget(
          new TerraformProviderConstraint({ name: PROVIDER_NAME, source: PROVIDER_ADDRESS, version: versionConstraint }),
          Language.TYPESCRIPT,
        ),
      );
      await generator.save(outDir);
    },
  },
  cdktn: {
    name: 'cdktn',
    moduleRoots: [path.join(REPO_ROOT, 'packages', 'cdktn'), REPO_ROOT],
    // CDK Terrain, the maintained fork of the archived CDKTF. @cdktn/provider-generator 0.24.0 is
    // the newest line and installs on Node 20 (cdktn-cli 0.24 itself needs Node 22). Its root
    // exports the generator and the CodeMaker it was built with; the constraint target comes from
    // @cdktn/commons, resolved from the generator's own location so both agree on one copy.
    async generate(schema, versionConstraint, outDir) {
      const generatorModule = require.resolve('@cdktn/provider-generator', { paths: [path.join(REPO_ROOT, 'packages', 'cdktn')] });
      const { TerraformProviderGenerator, CodeMaker } = (await import(generatorModule)) as typeof import('@cdktn/provider-generator');
      const commonsModule = require.resolve('@cdktn/commons', { paths: [path.dirname(generatorModule)] });
      const { ConstructsMakerProviderTarget, TerraformProviderConstraint, Language } = (await import(commonsModule)) as typeof import('@cdktn/commons');
      const generator = new TerraformProviderGenerator(new CodeMaker(), schema as never);
      generator.generate(
        new ConstructsMakerProviderTarget(
          new TerraformProviderConstraint({ name: PROVIDER_NAME, source: PROVIDER_ADDRESS, version: versionConstraint }),
          Language.TYPESCRIPT,
        ),
      );
      await generator.save(outDir);
    },
  },
};

export type RuntimeName = keyof typeof RUNTIMES;

export interface GenerateBindingsOptions {
  /** Where to write; defaults to cdktf-bindings/generated. */
  readonly outDir?: string;
  /** Which runtimes to generate L1 bindings for; defaults to every known runtime. */
  readonly runtimes?: readonly RuntimeName[];
}

/** Regenerates the whole output dir (stale files of a removed resource disappear too). */
export async function generateBindings(options: GenerateBindingsOptions = {}): Promise<string[]> {
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const runtimes = options.runtimes ?? (Object.keys(RUNTIMES) as RuntimeName[]);
  prepareEnvironment();
  const providerSchema = readJson(PROVIDER_SCHEMA_FILE);
  const versionConstraint = providerVersionConstraint();

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const runtimeName of runtimes) {
    const runtime = RUNTIMES[runtimeName];
    if (!runtime) throw new Error(`unknown CDK runtime "${String(runtimeName)}"; known: ${Object.keys(RUNTIMES).join(', ')}`);
    const runtimeDir = path.join(outDir, runtime.name);
    await runtime.generate(providerSchema, versionConstraint, runtimeDir);
    const typeScriptFiles = listFiles(runtimeDir).filter((file) => file.endsWith('.ts'));
    addOverrideModifiers(
      typeScriptFiles.map((file) => path.join(runtimeDir, file)),
      runtime.moduleRoots,
    );
    pointRegistryLinksAtDocs(runtimeDir, runtime.name);
    markGenerated(runtimeDir, `schema/provider.json (runtime ${runtime.name})`);
  }
  fs.writeFileSync(path.join(outDir, 'scopes.ts'), renderScopeTypes(readJson(SCOPE_CATALOG_FILE)));
  fs.writeFileSync(path.join(outDir, 'README.md'), renderReadme(runtimes));
  return listFiles(outDir);
}

function prepareEnvironment(): void {
  // @cdktf/commons phones a checkpoint service and runs `terraform version` when imported; neither
  // is needed to turn a schema into code, and a missing CLI config file only adds noise.
  process.env.CHECKPOINT_DISABLE = '1';
  process.env.TF_CLI_CONFIG_FILE = '/dev/null';
}

/**
 * `~> <major>.<minor>` of this repository's version: the provider is built and mirrored from the
 * same package.json, so generated bindings accept any compatible release of it.
 */
function providerVersionConstraint(): string {
  const { version } = readJson(path.join(REPO_ROOT, 'package.json')) as { version: string };
  const match = /^(\d+)\.(\d+)\./.exec(version);
  if (!match) throw new Error(`package.json version "${version}" is not semver`);
  return `~> ${match[1]}.${match[2]}`;
}

// The generators link every class to the provider's page on the public Terraform Registry, where
// this provider is not published. The same pages exist in this repository's docs/ (the Registry
// layout, `npm run generate:docs`), and the npm packages ship docs/ beside dist/ at the same depth
// as cdktf-bindings/ sits beside docs/ here, so one relative link works in both places.
const REGISTRY_DOCS =
  /https:\/\/registry\.terraform\.io\/providers\/managed-dev\/managed\/latest\/docs(?:\/(resources|data-sources|ephemeral-resources|functions)\/([a-z0-9_]+))?/g;
const DOCS_ROOT = path.join(REPO_ROOT, 'docs');

function pointRegistryLinksAtDocs(runtimeDir: string, runtimeName: string): void {
  for (const file of listFiles(runtimeDir)) {
    const fullPath = path.join(runtimeDir, file);
    // Relative to where the file is committed, whatever directory it is being generated into.
    const committedDir = path.dirname(path.join(DEFAULT_OUT_DIR, runtimeName, file));
    const text = fs.readFileSync(fullPath, 'utf8');
    const rewritten = text.replace(REGISTRY_DOCS, (_url, kind?: string, name?: string) => {
      const page = kind && name ? path.join(DOCS_ROOT, kind, `${name}.md`) : path.join(DOCS_ROOT, 'index.md');
      return path.relative(committedDir, page).split(path.sep).join('/');
    });
    if (rewritten === text) continue;
    fs.writeFileSync(
      fullPath,
      rewritten
        .replace('Refer to the Terraform Registry for docs:', 'Documentation (Terraform Registry layout, in this repository and in the npm package):')
        .replaceAll('Docs at Terraform Registry:', 'Docs (Terraform Registry layout):'),
    );
  }
}

const GENERATED_HEADER = (from: string) => `// Generated by \`npm run generate:bindings\` from ${from}. Do not edit by hand.\n`;

function markGenerated(dir: string, from: string): void {
  for (const file of listFiles(dir)) {
    if (!file.endsWith('.ts')) continue;
    const fullPath = path.join(dir, file);
    fs.writeFileSync(fullPath, GENERATED_HEADER(from) + fs.readFileSync(fullPath, 'utf8'));
  }
}

interface ScopeCatalog {
  scopes: { name: string; description: string; dangerous: boolean }[];
  presets: Record<string, { description: string; scopes: string[] }>;
}

export function renderScopeTypes(catalogJson: unknown): string {
  const catalog = catalogJson as ScopeCatalog;
  if (!Array.isArray(catalog.scopes) || typeof catalog.presets !== 'object' || catalog.presets === null) {
    throw new Error('schema/scopes.json must have a "scopes" array and a "presets" object');
  }
  const names = new Set(catalog.scopes.map((scope) => scope.name));
  for (const [preset, { scopes }] of Object.entries(catalog.presets)) {
    for (const scope of scopes) {
      if (!names.has(scope)) throw new Error(`preset "${preset}" names "${scope}", which is not in the scope catalog`);
    }
  }
  const quote = (text: string) => JSON.stringify(text);
  const lines: string[] = [GENERATED_HEADER('schema/scopes.json').trimEnd(), ''];
  lines.push('/** A scope of the managed.dev catalog. A misspelt scope is a compile error. */');
  lines.push('export type Scope =');
  for (const scope of catalog.scopes) {
    lines.push(`  /** ${scope.description}${scope.dangerous ? ' (dangerous)' : ''} */`);
    lines.push(`  | ${quote(scope.name)}`);
  }
  lines[lines.length - 1] += ';';
  lines.push('');
  lines.push('/** A named bundle of scopes. None contains a dangerous scope. */');
  lines.push('export type Preset =');
  for (const [preset, { description }] of Object.entries(catalog.presets)) {
    lines.push(`  /** ${description} */`);
    lines.push(`  | ${quote(preset)}`);
  }
  lines[lines.length - 1] += ';';
  lines.push('');
  lines.push('/** Every scope of the catalog, in catalog order. */');
  lines.push('export const SCOPES: readonly Scope[] = [');
  for (const scope of catalog.scopes) lines.push(`  ${quote(scope.name)},`);
  lines.push('];');
  lines.push('');
  lines.push('/** Scopes that wildcards never grant: they must be named exactly. */');
  lines.push('export const DANGEROUS_SCOPES: readonly Scope[] = [');
  for (const scope of catalog.scopes.filter((entry) => entry.dangerous)) lines.push(`  ${quote(scope.name)},`);
  lines.push('];');
  lines.push('');
  lines.push('/** The scopes each preset grants. */');
  lines.push('export const PRESET_SCOPES: Readonly<Record<Preset, readonly Scope[]>> = {');
  for (const [preset, { scopes }] of Object.entries(catalog.presets)) {
    lines.push(`  ${quote(preset)}: [${scopes.map(quote).join(', ')}],`);
  }
  lines.push('};');
  lines.push('');
  return lines.join('\n');
}

function renderReadme(runtimes: readonly string[]): string {
  return [
    '# Generated code: do not edit',
    '',
    'Everything in this folder is written by `npm run generate:bindings` (`scripts/generate-bindings.ts`):',
    '',
    ...runtimes.map((runtime) => `- \`${runtime}/providers/managed/\`: L1 bindings for the \`${runtime}\` runtime, generated from \`schema/provider.json\`.`),
    '- `scopes.ts`: the `Scope` and `Preset` literal types, generated from `schema/scopes.json`.',
    '',
    'Change the schema files and run the script again; a test fails when this folder is stale.',
    'The hand-written construct lives in `cdktf-bindings/index.ts`.',
    '',
  ].join('\n');
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${path.relative(REPO_ROOT, file)}: ${(error as Error).message}`, { cause: error });
  }
}

/** Files under `dir`, relative to it, sorted, with `/` separators. */
export function listFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else found.push(child);
    }
  };
  walk('');
  return found.sort();
}

if (require.main === module) {
  generateBindings({ outDir: process.argv[2] })
    .then((files) => console.log(`generated ${files.length} files`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
