/**
 * The dashboard build: dashboard/ → dist/dashboard/, served by the control plane at "/".
 * Hashed file names (cached immutably) and no inline script or style anywhere, so the served
 * page works under a CSP without 'unsafe-inline' (control-plane/src/http/security-headers.ts).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  resolve: {
    // The contract's TypeScript source (ES modules) rather than its CommonJS build, so only the
    // pure functions the dashboard uses are bundled (not its node:crypto secret minting).
    alias: {
      '@managed-dev/contract': fileURLToPath(new URL('../packages/contract/src/index.ts', import.meta.url)),
      'node:crypto': fileURLToPath(new URL('./src/node-builtins-unavailable.ts', import.meta.url)),
      'node:zlib': fileURLToPath(new URL('./src/node-builtins-unavailable.ts', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Nothing inlined as data: URLs or inline scripts: everything is a hashed file under /assets.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
