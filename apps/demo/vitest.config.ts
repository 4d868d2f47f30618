import { mergeConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared.js';

export default mergeConfig(sharedVitestConfig, {
  test: {
    // The page's logic that needs no browser is tested beside it too.
    include: ['src/**/*.test.ts', 'web/**/*.test.ts', 'test/**/*.test.ts'],
    // The smoke and browser tests run the demo as a real process, built once per run.
    globalSetup: ['test/global-setup.ts'],
  },
});
