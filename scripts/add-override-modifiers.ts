// The provider generator writes code for jsii's compiler settings, which do not include
// `noImplicitOverride`; this repository's tsconfig does. Rather than weaken the project's settings
// or silence whole generated files with @ts-nocheck, ask the TypeScript checker which members
// override a base-class member without saying so, and add the `override` keyword there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const MISSING_OVERRIDE_CODES = new Set([4114, 4115, 4116]);

/**
 * Adds `override` wherever the checker reports it missing in `files` (absolute paths).
 * Modules such as `cdktf` resolve from the node_modules of `moduleRoots` (first match wins), so
 * this also works on a copy generated into a temporary directory outside the repository, and for
 * a runtime (cdktn) installed in a workspace package's own node_modules.
 */
export function addOverrideModifiers(files: readonly string[], moduleRoots: readonly string[]): void {
  const [repositoryRoot] = moduleRoots.slice(-1);
  if (!repositoryRoot) throw new Error('addOverrideModifiers needs at least one module root');
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noImplicitOverride: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [path.join(repositoryRoot, 'node_modules', '@types')],
    paths: { '*': moduleRoots.flatMap((root) => [path.join(root, 'node_modules', '*'), path.join(root, 'node_modules', '@types', '*')]) },
  });
  const insertions = new Map<string, Set<number>>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (!diagnostic.file || diagnostic.start === undefined || !MISSING_OVERRIDE_CODES.has(diagnostic.code)) {
      throw new Error(`generated code does not type-check: ${formatDiagnostic(diagnostic)}`);
    }
    const position = overrideInsertionPoint(diagnostic.file, diagnostic.start);
    const fileName = path.resolve(diagnostic.file.fileName);
    if (!insertions.has(fileName)) insertions.set(fileName, new Set());
    insertions.get(fileName)!.add(position);
  }
  for (const [fileName, positions] of insertions) {
    let text = fs.readFileSync(fileName, 'utf8');
    // Insert from the end so earlier positions stay valid.
    for (const position of [...positions].sort((a, b) => b - a)) {
      text = `${text.slice(0, position)}override ${text.slice(position)}`;
    }
    fs.writeFileSync(fileName, text);
  }
}

/** Where `override` goes for the member whose name starts at `start`: after its other modifiers. */
function overrideInsertionPoint(file: ts.SourceFile, start: number): number {
  let node = findInnermostNode(file, start);
  while (node && !isOverridableDeclaration(node)) node = node.parent;
  if (!node) throw new Error(`${file.fileName}: no class member at offset ${start}`);
  const modifiers = ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : [];
  // `override` must follow accessibility and `static`, and precede `readonly`, `get` and the name.
  const leading = modifiers.filter((modifier) =>
    [ts.SyntaxKind.PublicKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.StaticKeyword].includes(modifier.kind),
  );
  if (leading.length > 0) return leading[leading.length - 1]!.getEnd() + 1;
  return node.getStart(file);
}

function isOverridableDeclaration(node: ts.Node): boolean {
  return (
    ts.isMethodDeclaration(node) ||
    ts.isPropertyDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isParameter(node)
  );
}

function findInnermostNode(file: ts.SourceFile, position: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (position >= node.getStart(file) && position < node.getEnd()) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  ts.forEachChild(file, visit);
  return found;
}

function formatDiagnostic(diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return message;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${diagnostic.file.fileName}:${line + 1}:${character + 1}: ${message}`;
}
