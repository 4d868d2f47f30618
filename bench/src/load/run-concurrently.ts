/**
 * Keeps up to `concurrency` tasks in flight while `more()` says to start another, and
 * resolves once the last one settles. Tasks report their own failures; one that rejects
 * anyway is a harness bug and rejects the whole run.
 *
 * @example
 * let left = 100;
 * await runConcurrently(10, () => left-- > 0, () => openOne());
 */
export function runConcurrently(
  concurrency: number,
  more: () => boolean,
  task: () => Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let inFlight = 0;
    let failed = false;
    const startNext = (): void => {
      while (!failed && inFlight < concurrency && more()) {
        inFlight++;
        task().then(
          () => {
            inFlight--;
            startNext();
          },
          (error: unknown) => {
            failed = true;
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
      if (inFlight === 0 && !failed) resolve();
    };
    startNext();
  });
}
