/**
 * The provider's entry file when built with a V8 code cache (see bundleProvider's `codeCache`).
 *
 * WHY: Terraform starts the provider 3+ times per command, and compiling the ~500 KB bundle is a
 * large share of each start. Node 20 has no built-in compile cache (module.enableCompileCache
 * arrived in Node 22), so this loader compiles the bundle with vm.Script and V8 cached data kept
 * next to it. The first launch writes the cache (atomically: temp file + rename, since Terraform
 * starts several processes at once); V8 rejects a cache made for other source or another V8, and
 * the loader then simply compiles from source and rewrites it. Nothing here may print to stdout.
 *
 * This file is rendered as plain CommonJS (it must not itself need compiling from TypeScript).
 */
export function codeCacheLoaderSource(coreFileName: string): string {
  return `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const file = path.join(__dirname, ${JSON.stringify(coreFileName)});
const cacheFile = file + '.v8-cache';
const source = fs.readFileSync(file, 'utf8');
let cachedData;
try { cachedData = fs.readFileSync(cacheFile); } catch (error) { cachedData = undefined; }
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
let cacheWritten = cachedData !== undefined && !script.cachedDataRejected;
function writeCache() {
  if (cacheWritten) return;
  cacheWritten = true;
  const temporary = cacheFile + '.' + process.pid;
  try {
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, cacheFile);
  } catch (error) {
    try { fs.unlinkSync(temporary); } catch (ignored) { /* a read-only install runs uncached */ }
  }
}
// Written once the first RPCs have compiled their functions too, or at exit, whichever is first.
if (!cacheWritten) {
  setTimeout(writeCache, 1500).unref();
  process.on('exit', writeCache);
}
const core = new Module(file, module);
core.filename = file;
core.paths = Module._nodeModulePaths(path.dirname(file));
script.runInThisContext().call(core.exports, core.exports, (id) => core.require(id), core, file, path.dirname(file));
`;
}
