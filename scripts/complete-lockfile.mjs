// The npm registry reachable from our machines lacks some platform-specific optional packages
// (for instance @biomejs/cli-darwin-x64). `npm install` skips them silently, but then writes
// a lockfile that `npm ci` rejects as out of sync ("Missing: ... from lock file"). This adds a
// stub entry for each such package, with the os/cpu/libc it is built for, so `npm ci` sees a
// complete tree and skips the stubs on this platform exactly as it skips any foreign binary.
// Run it after every `npm install` that changes dependencies: `node scripts/complete-lockfile.mjs`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const platforms = {
  os: ['darwin', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony', 'linux'],
  cpu: ['arm64', 'x64', 'arm', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el'],
};

function constraints(name) {
  const base = name.split('/').pop();
  const os = platforms.os.find((candidate) => base.includes(candidate));
  const cpu = base.includes('universal')
    ? undefined
    : platforms.cpu.find((candidate) => base.includes(candidate));
  const entry = {};
  if (os) entry.os = [os];
  if (cpu) entry.cpu = [cpu];
  if (os === 'linux' && base.includes('musl')) entry.libc = ['musl'];
  if (os === 'linux' && base.includes('gnu')) entry.libc = ['glibc'];
  return entry;
}

let added = 0;
for (const [path, node] of Object.entries(packages)) {
  const optional = node.optionalDependencies ?? {};
  for (const [name, spec] of Object.entries(optional)) {
    const childPath = `${path ? `${path}/` : ''}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[childPath] || packages[hoisted]) continue;
    const platform = constraints(name);
    if (!platform.os && !platform.cpu) continue; // not a platform binary: leave it to npm
    packages[hoisted] = {
      version: spec.replace(/^[\^~=]/, ''),
      ...(node.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform stub entries`);
if (process.argv.includes('--check'))
  execFileSync('npm', ['ci', '--ignore-scripts', '--dry-run'], { stdio: 'inherit' });
