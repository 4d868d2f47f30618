/// <reference types="node" />
import { buildDemo } from './build-demo.js';

/** Once per test run: the smoke and browser tests start the built demo as a process. */
export default async function setup(): Promise<void> {
  await buildDemo();
}
