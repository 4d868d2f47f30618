/// <reference types="node" />
/**
 * Bundles TypeScript sources into ES modules a page can import, at test time, with Vite's
 * JavaScript API: the browser runs the client's current `src/` (through the workspaces'
 * `source` export condition), with isomorphic-ws resolved to its browser file, so no build
 * step can leave the browser tests running stale code.
 */
import { fileURLToPath } from 'node:url';
import type { Rollup } from 'vite';
import { build, defaultClientConditions, defaultClientMainFields } from 'vite';

/** The client's own entry point, for `bundleForBrowser({ client: clientEntry })`. */
export const clientEntry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/**
 * Builds each entry (name -> source file) into `<name>.js`; modules shared between entries are
 * imported from the entry that owns them (a page entry that imports the client's index gets
 * `import … from './client.js'`), so serve every returned file under one folder. Resolves
 * to file name -> code.
 *
 * @example
 * const files = await bundleForBrowser({ client: clientEntry, page: pageScript });
 * files.get('client.js'); // export { createClient, ... }
 */
export async function bundleForBrowser(
  entries: Readonly<Record<string, string>>,
): Promise<Map<string, string>> {
  const result = await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    resolve: {
      conditions: ['source', ...defaultClientConditions],
      mainFields: [...defaultClientMainFields],
    },
    build: {
      write: false,
      minify: false,
      // Errors in the page then point at the TypeScript line.
      sourcemap: 'inline',
      target: 'es2022',
      lib: { entry: { ...entries }, formats: ['es'], fileName: (_format, name) => `${name}.js` },
      rollupOptions: { output: { chunkFileNames: '[name]-[hash].js' } },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const files = new Map<string, string>();
  for (const item of outputs.flatMap((output) => output.output)) {
    if (item.type === 'chunk') files.set(item.fileName, item.code);
  }
  return files;
}
