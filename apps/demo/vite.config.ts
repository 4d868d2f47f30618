import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vite';

/**
 * The page: `web/` built into `dist/public/`, which the demo's server serves. Workspace
 * packages are bundled from their TypeScript sources (the `source` condition), so the page
 * never runs a stale client build.
 */
export default defineConfig({
  root: 'web',
  publicDir: false,
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: '../dist/public',
    emptyOutDir: true,
    target: 'es2022',
    // Small assets inline; the font files stay separate, cached for good.
    assetsInlineLimit: 4096,
  },
  logLevel: 'warn',
});
