import { ConfigError, loadConfig } from '../../src/config';

test('defaults point at the native stack on loopback', () => {
  const config = loadConfig({});
  expect(config.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
  expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:55432/fluxo');
  expect(config.API_PORT).toBe(3000);
  expect(config.WORKER_TASK_QUEUES).toEqual([]);
});

test('values are coerced and lists are split', () => {
  const config = loadConfig({ API_PORT: '8080', WORKER_TASK_QUEUES: 'ledger, reports', KAFKA_BROKERS: 'a:1,b:2' });
  expect(config.API_PORT).toBe(8080);
  expect(config.WORKER_TASK_QUEUES).toEqual(['ledger', 'reports']);
  expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
});

test('a wrong value is one line naming each variable', () => {
  let error: unknown;
  try {
    loadConfig({ API_PORT: 'abc', LOG_LEVEL: 'loud' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  expect(message).toMatch(/API_PORT: /);
  expect(message).toMatch(/LOG_LEVEL: /);
});
