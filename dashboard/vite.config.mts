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
