import { mergeConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared.js';

export default mergeConfig(sharedVitestConfig, {
  test: {
    // The smoke and browser tests run the demo as a real process, built once per run.
    globalSetup: ['test/global-setup.ts'],
  },
});
