/**
 * `node dist/profile-summary.js <file.cpuprofile> [top]`: the frames and files where a V8 CPU
 * profile (from `npm run bench -- --profile`) spent its time, self and inclusive, so a slow
 * row can be explained without opening DevTools.
 */
import { readFile } from 'node:fs/promises';
import { argv } from 'node:process';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Shortens a file URL to the part that says whose code it is. */
function shortFile(url: string): string {
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const packages = url.indexOf('/packages/');
  if (packages !== -1) return url.slice(packages + 1);
  const bench = url.indexOf('/bench/');
  return bench === -1 ? url : url.slice(bench + 1);
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${shortFile(url)}:${lineNumber + 1}`;
}

function top(totals: Map<string, number>, all: number, count: number): string[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `${((100 * micros) / all).toFixed(1).padStart(5)}%  ${name}`);
}

function add(totals: Map<string, number>, key: string, micros: number): void {
  totals.set(key, (totals.get(key) ?? 0) + micros);
}

const [file, countArg] = argv.slice(2);
if (file === undefined) {
  throw new Error('usage: node dist/profile-summary.js <file.cpuprofile> [top, default 25]');
}
const count = Number(countArg ?? 25);
const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) {
  for (const child of node.children ?? []) parent.set(child, node.id);
}

const self = new Map<string, number>();
const selfFiles = new Map<string, number>();
const inclusiveFrames = new Map<string, number>();
const inclusiveFiles = new Map<string, number>();
// Shares are of busy time: idle time says how loaded the server was, not where it went.
let all = 0;
let idle = 0;
profile.samples.forEach((id, index) => {
  const micros = profile.timeDeltas[index] ?? 0;
  const leaf = byId.get(id);
  if (leaf === undefined) return;
  if (leaf.callFrame.functionName === '(idle)') {
    idle += micros;
    return;
  }
  all += micros;
  add(self, frameName(leaf), micros);
  add(selfFiles, shortFile(leaf.callFrame.url), micros);
  // A recursive frame or a file seen twice in one stack counts once for that sample.
  const frames = new Set<string>();
  const files = new Set<string>();
  for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
    frames.add(frameName(node));
    files.add(shortFile(node.callFrame.url));
  }
  for (const frame of frames) add(inclusiveFrames, frame, micros);
  for (const name of files) add(inclusiveFiles, name, micros);
});

console.log(
  `${file}: ${(all / 1_000).toFixed(0)} ms busy, ${(idle / 1_000).toFixed(0)} ms idle; shares are of busy time\n`,
);
console.log(`Top ${count} frames by self time:\n${top(self, all, count).join('\n')}\n`);
console.log(`Top ${count} frames, inclusive:\n${top(inclusiveFrames, all, count).join('\n')}\n`);
console.log(`Top ${count} files by self time:\n${top(selfFiles, all, count).join('\n')}\n`);
console.log(`Top ${count} files, inclusive:\n${top(inclusiveFiles, all, count).join('\n')}`);
