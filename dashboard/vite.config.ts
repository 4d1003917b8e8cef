import { defineConfig } from 'vite';

// Served by the Crossdock server under /app/ (src/api/dashboard.ts). No React plugin:
// Vite 8 compiles TSX with its built-in transform (automatic JSX runtime); there is no
// fast refresh, which a dashboard this size does not need.
export default defineConfig({
  root: import.meta.dirname,
  base: '/app/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  logLevel: 'warn',
});
