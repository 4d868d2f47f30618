import { spawnSync } from 'node:child_process';

/** Which CPU each side runs on, and how to say so in the report. */
export interface CpuPinning {
  /** A CPU list for `taskset -c`, or undefined when not pinned. */
  readonly server: string | undefined;
  readonly load: string | undefined;
  readonly description: string;
}

/** Expands a `taskset` CPU list such as `0-2,5` into `[0, 1, 2, 5]`. */
function parseCpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) return [];
    const last = to === undefined || Number.isNaN(to) ? from : to;
    return Array.from({ length: last - from + 1 }, (_, index) => from + index);
  });
}

/**
 * Puts the server on one CPU and the load generator on another, from the CPUs this process
 * may use (a container may allow fewer than the machine has). Without `taskset` or with a
 * single CPU, nothing is pinned and the report says so.
 *
 * @example
 * const pinning = detectCpuPinning(); // { server: '0', load: '1', description: '...' }
 */
export function detectCpuPinning(): CpuPinning {
  const unpinned = (why: string): CpuPinning => ({
    server: undefined,
    load: undefined,
    description: `none (${why}); server and load share the scheduler`,
  });
  const query = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  if (query.error !== undefined || query.status !== 0) return unpinned('taskset not available');
  const list = /list:\s*([\d,-]+)/.exec(query.stdout)?.[1];
  const cpus = list === undefined ? [] : parseCpuList(list);
  const [serverCpu, loadCpu] = cpus;
  if (serverCpu === undefined || loadCpu === undefined) {
    return unpinned(`only CPU ${list ?? '?'} allowed`);
  }
  return {
    server: String(serverCpu),
    load: String(loadCpu),
    description: `taskset: server on CPU ${serverCpu}, load generator on CPU ${loadCpu}`,
  };
}
