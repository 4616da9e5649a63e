/** Lets tests stop and start a real server of the native stack (fault-injection tests). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function stack(command: 'up' | 'down', services: string[]): void {
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/stack/cli.ts', command, ...services], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`stack ${command} ${services.join(' ')} failed: ${result.stderr}`);
}

export const stackUp = (...services: string[]) => stack('up', services);
export const stackDown = (...services: string[]) => stack('down', services);
