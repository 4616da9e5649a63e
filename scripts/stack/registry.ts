import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StackService } from './types';

/** Every module in ./services exports `service`; sorted by start order. */
export async function loadServices(): Promise<StackService[]> {
  const dir = join(__dirname, 'services');
  const files = readdirSync(dir).filter((file) => file.endsWith('.ts'));
  const modules = await Promise.all(files.map((file) => import(join(dir, file))));
  return modules
    .map((module) => module.service as StackService)
    .filter(Boolean)
    .sort((a, b) => a.order - b.order);
}

export function pick(all: StackService[], names: string[]): StackService[] {
  if (names.length === 0) return all;
  const unknown = names.filter((name) => !all.some((service) => service.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown service ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
  }
  return all.filter((service) => names.includes(service.name));
}
