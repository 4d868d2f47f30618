import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Every package tests its TypeScript sources directly: the `source` export condition points
 * workspace imports at `src/`, so `npm test` needs no build step.
 */
export const sharedVitestConfig = defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'] },
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
