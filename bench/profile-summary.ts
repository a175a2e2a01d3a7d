// Summarises V8 .cpuprofile files (from `npm run bench -- --profile`): where the service's CPU goes.
// usage: node bench/.build/bench/profile-summary.js FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const DEFAULT_TOP = 25;
/** Samples that are not work: the process waiting in epoll. */
const IDLE = '(idle)';

function main(): void {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary FILE.cpuprofile [TOP]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    if (!node || node.callFrame.functionName === IDLE) return;
    busy += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    add(selfByFunction, `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`, micros);
    add(selfByArea, area(functionName, url), micros);
  });
  console.log(`${file}: ${(busy / 1e6).toFixed(2)} s of CPU samples (idle excluded)\n`);
  print('self time by area', selfByArea, busy, Number.POSITIVE_INFINITY);
  print('self time by function', selfByFunction, busy, Number(top ?? DEFAULT_TOP));
}

/** Which package, node subsystem or kvs module the code belongs to. */
function area(functionName: string, url: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:').replace(/\/.*$/, '');
  const kvs = /\/dist\/(.+)\.js$/.exec(url);
  return kvs ? `kvs ${kvs[1].replace(/\/[^/]+$/, '')}` : url;
}

function shortUrl(url: string): string {
  return url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
}

function add(map: Map<string, number>, key: string, micros: number): void {
  map.set(key, (map.get(key) ?? 0) + micros);
}

function print(title: string, map: Map<string, number>, total: number, top: number): void {
  console.log(`${title}:`);
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([key, micros]) => console.log(`  ${((micros / total) * 100).toFixed(1).padStart(5)}%  ${key}`));
  console.log('');
}

main();
