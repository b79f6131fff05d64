/**
 * The npm packages of a release: @managed-dev/contract, @managed-dev/cdktf and @managed-dev/cdktn,
 * each compiled to JavaScript + .d.ts and packed with `npm pack` into one .tgz.
 *
 * The two bindings packages share one hand-written construct (cdktf-bindings/*.ts): the cdktn
 * package compiles a copy whose `cdktf` imports and generated-code paths are rewritten to cdktn,
 * type-checked against cdktn itself (installed in packages/cdktn/node_modules). The compiler runs
 * without esModuleInterop and resolveJsonModule, so nothing shipped needs them from a consumer
 * (the stock `cdktf init --template=typescript` tsconfig has neither).
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { runCommand } from '../lib/run-command';

export type BindingsRuntime = 'cdktf' | 'cdktn';

interface PackageSource {
  /** Folder holding package.json and README.md (the manifest that is published). */
  readonly manifestDir: string;
  /** Writes the compiled JavaScript and declarations into `distDir`. */
  compile(distDir: string): void;
  /** Extra folders copied into the package root, by name (the bindings ship the Registry docs). */
  readonly extraFolders: readonly string[];
}

function compilerOptions(rootDir: string, outDir: string, repositoryRoot: string): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    typeRoots: [join(repositoryRoot, 'node_modules', '@types')],
    strict: true,
    noImplicitOverride: true,
    esModuleInterop: false,
    resolveJsonModule: false,
    skipLibCheck: true,
    declaration: true,
    sourceMap: false,
    noEmitOnError: true,
    newLine: ts.NewLineKind.LineFeed,
    rootDir,
    outDir,
  };
}

function compile(files: readonly string[], options: ts.CompilerOptions, what: string): void {
  const program = ts.createProgram(files, options);
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0 || emitted.emitSkipped) {
    const host = { getCanonicalFileName: (name: string) => name, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
    throw new Error(`${what} does not compile:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file))
    .sort();
}

/**
 * Copies the hand-written construct, the Scope types and one runtime's generated L1 classes into
 * `stageDir`, rewriting cdktf → cdktn for the cdktn runtime, and returns the files to compile.
 */
export function stageBindingsSources(repositoryRoot: string, runtime: BindingsRuntime, stageDir: string): string[] {
  const bindings = join(repositoryRoot, 'cdktf-bindings');
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(join(stageDir, 'generated'), { recursive: true });
  for (const entry of readdirSync(bindings).sort()) {
    if (!entry.endsWith('.ts')) continue;
    const source = readFileSync(join(bindings, entry), 'utf8');
    writeFileSync(join(stageDir, entry), runtime === 'cdktf' ? source : rewriteForCdktn(entry, source));
  }
  cpSync(join(bindings, 'generated', 'scopes.ts'), join(stageDir, 'generated', 'scopes.ts'));
  cpSync(join(bindings, 'generated', runtime), join(stageDir, 'generated', runtime), { recursive: true });
  return typeScriptFiles(stageDir);
}

const CDKTF_MODULE = /(from\s+)'cdktf'/g;
const CDKTF_GENERATED = /'\.\/generated\/cdktf\//g;

function rewriteForCdktn(file: string, source: string): string {
  const rewritten = source.replace(CDKTF_MODULE, "$1'cdktn'").replace(CDKTF_GENERATED, "'./generated/cdktn/");
  // Anything else naming the cdktf module (a require, a dynamic import) would load the wrong runtime.
  const leftover = /['"]cdktf['"]|generated\/cdktf\//.exec(rewritten);
  if (leftover) throw new Error(`cdktf-bindings/${file}: cannot rewrite "${leftover[0]}" for cdktn; import cdktf only as \`from 'cdktf'\``);
  return rewritten;
}

function packageSources(repositoryRoot: string): Record<string, PackageSource> {
  const bindingsPackage = (runtime: BindingsRuntime): PackageSource => {
    const manifestDir = join(repositoryRoot, 'packages', runtime);
    return {
      manifestDir,
      extraFolders: ['docs'],
      compile(distDir) {
        // Staged inside the workspace package, so `cdktn` and `constructs` resolve from its node_modules.
        const stageDir = join(manifestDir, '.build', 'src');
        const files = stageBindingsSources(repositoryRoot, runtime, stageDir);
        try {
          compile(files, compilerOptions(stageDir, distDir, repositoryRoot), `@managed-dev/${runtime}`);
        } finally {
          rmSync(join(manifestDir, '.build'), { recursive: true, force: true });
        }
      },
    };
  };
  const contractDir = join(repositoryRoot, 'packages', 'contract');
  return {
    contract: {
      manifestDir: contractDir,
      extraFolders: [],
      compile(distDir) {
        const sourceDir = join(contractDir, 'src');
        compile(typeScriptFiles(sourceDir), compilerOptions(sourceDir, distDir, repositoryRoot), '@managed-dev/contract');
      },
    },
    cdktf: bindingsPackage('cdktf'),
    cdktn: bindingsPackage('cdktn'),
  };
}

/** package.json as published: no scripts or devDependencies (they describe this repository). */
function publishedManifest(manifestDir: string): string {
  const manifest = JSON.parse(readFileSync(join(manifestDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  delete manifest.scripts;
  delete manifest.devDependencies;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Modes fixed for every file and folder: npm pack keeps them, and the umask must not leak in. */
function normalizeModes(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  }
}

/** Builds and packs every npm package into `outDir`; returns the tarball names. */
export async function packNpmPackages(repositoryRoot: string, outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'managed-npm-'));
  const tarballs: string[] = [];
  try {
    for (const [name, source] of Object.entries(packageSources(repositoryRoot))) {
      const stage = join(workDir, name);
      mkdirSync(stage, { recursive: true });
      source.compile(join(stage, 'dist'));
      writeFileSync(join(stage, 'package.json'), publishedManifest(source.manifestDir));
      cpSync(join(source.manifestDir, 'README.md'), join(stage, 'README.md'));
      for (const folder of source.extraFolders) cpSync(join(repositoryRoot, folder), join(stage, folder), { recursive: true });
      normalizeModes(stage);
      // --ignore-scripts: nothing in the stage may run; the env is cleared of npm's workspace settings.
      const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_workspace: '', npm_config_workspaces: '' };
      const result = await runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', outDir], { cwd: stage, env, timeoutMs: 120_000 });
      const [packed] = JSON.parse(result.stdout) as Array<{ filename: string }>;
      if (!packed) throw new Error(`npm pack in ${relative(workDir, stage)} reported no tarball`);
      tarballs.push(packed.filename);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return tarballs;
}
