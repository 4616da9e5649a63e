/**
 * docker-compose.temporal.yml cannot run here (no Docker engine), so this keeps it honest: it parses, and its
 * ports, variables and search attributes match the native stack and src/config/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '../../src/config';
import { searchAttributes } from '../../src/domain/search-attributes';

interface Service {
  ports?: string[];
  environment?: Record<string, string>;
  command?: string[] | string;
}
const compose = parse(readFileSync(join(__dirname, '..', '..', 'docker-compose.temporal.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

const hostPort = (service: string) => compose.services[service]?.ports?.map((port) => port.split(':').slice(-2)[0]);

test('services publish the native stack ports on loopback', () => {
  expect(hostPort('temporal')).toEqual(['7233']);
  expect(hostPort('temporal-ui')).toEqual(['8233']);
  expect(hostPort('postgres')).toEqual(['55432']);
  expect(hostPort('mongo')).toEqual(['27017']);
  expect(hostPort('neo4j')).toEqual(['7687']);
  expect(hostPort('kafka')).toEqual(['9092']);
  expect(hostPort('gcs')).toEqual(['4443']);
  expect(hostPort('api')).toEqual(['3000']);
  for (const service of Object.values(compose.services)) {
    for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  }
});

test('fluxo processes get only variables that src/config/ knows, and valid values', () => {
  const known = Object.keys(configSchema.shape);
  for (const name of ['api', 'worker', 'migrate']) {
    const environment = compose.services[name]!.environment!;
    expect(Object.keys(environment).filter((key) => !known.includes(key))).toEqual([]);
    expect(configSchema.safeParse(environment).success).toBe(true);
  }
});

test('the setup job registers exactly fluxo\'s search attributes', () => {
  const command = [compose.services['temporal-setup']!.command].flat().join(' ');
  const registered = [...command.matchAll(/(\w+)=(Keyword|Int|Double|Bool|Datetime|Text|KeywordList)/g)].map((m) => `${m[1]}=${m[2]}`);
  expect(registered.sort()).toEqual(Object.entries(searchAttributes).map(([key, type]) => `${key}=${type}`).sort());
});
