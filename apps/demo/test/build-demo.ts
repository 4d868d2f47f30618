/// <reference types="node" />
/**
 * Builds the demo as `npm start` runs it, for tests that start it as a real process: the page
 * with the demo's Vite config, and the server bundled by Vite from TypeScript sources (the
 * workspace packages' `source` condition), so tests never run a stale `dist/` of a package.
 * npm dependencies stay imports, resolved from the repository's node_modules.
 */
import { fileURLToPath } from 'node:url';
import { build, defaultServerConditions } from 'vite';

const demoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Where the build goes: `server.js` beside `public/`, as in `dist/`. Gitignored. */
export const buildDir = fileURLToPath(new URL('../test-artifacts/build/', import.meta.url));

/** The bundled server, to run with `node`. */
export const serverScript = `${buildDir}server.js`;

/**
 * @example
 * await buildDemo();
 * spawn(process.execPath, [serverScript], { env: { ...process.env, DATA_DIR: tmp } });
 */
export async function buildDemo(): Promise<void> {
  await build({
    configFile: `${demoRoot}vite.config.ts`,
    build: { outDir: `${buildDir}public`, emptyOutDir: true },
  });
  const conditions = ['source', ...defaultServerConditions];
  await build({
    configFile: false,
    root: demoRoot,
    logLevel: 'warn',
    resolve: { conditions },
    ssr: { noExternal: [/^@wsgate\//], resolve: { conditions, externalConditions: ['node'] } },
    build: {
      ssr: 'src/main.ts',
      outDir: buildDir,
      emptyOutDir: false,
      target: 'node20',
      minify: false,
      sourcemap: true,
      rollupOptions: { output: { entryFileNames: 'server.js' } },
    },
  });
}
