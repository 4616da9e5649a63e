/** JSON logs (pino) for every process; the API adds the request id to each line of a request. */
import pino, { type Logger } from 'pino';
import type { Config } from '../config';

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, name: string): Logger {
  return pino({ name, level: config.LOG_LEVEL, base: { process: name } });
}

export type { Logger };
