import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayCase } from './replay-case';

/** Every module in ./cases exports `cases`; a new domain adds a file, nothing else. */
export function loadReplayCases(): ReplayCase[] {
  const dir = join(__dirname, 'cases');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => (require(join(dir, file)) as { cases: ReplayCase[] }).cases);
}
