/**
 * docs/BENCHMARKS.md, where every `npm run bench:*` records its run: one place that starts the file and keeps
 * a blank line between sections, so each benchmark only builds its own section.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCHMARKS_FILE = join(__dirname, '..', '..', 'docs', 'BENCHMARKS.md');
const HEADER = '# Benchmarks\n\nResults of `npm run bench:*`, newest last within each section.\n';

/** Appends `section` (a markdown section starting with `## `) at the end of the file, and prints it. */
export function appendBenchmarkSection(section: string): void {
  if (!existsSync(BENCHMARKS_FILE)) writeFileSync(BENCHMARKS_FILE, HEADER);
  const existing = readFileSync(BENCHMARKS_FILE, 'utf8');
  const separator = existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  appendFileSync(BENCHMARKS_FILE, `${separator}${section}`);
  process.stdout.write(section);
}
