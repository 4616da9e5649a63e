// Installs npm dependencies when they are missing or older than the lockfile, so `npm run dev` and
// `npm test` work on a fresh clone. Plain Node (no dependencies): it runs before they exist.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  // npm install, not npm ci: see .ci/run (npm 11.19 rejects its own lockfile's pruned optional binaries).
  process.stderr.write('bootstrap: installing npm dependencies (npm install)\n');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('bootstrap: npm install failed; see the output above\n');
    process.exit(1);
  }
}
