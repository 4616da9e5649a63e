/**
 * Environment → typed configuration, validated once. Defaults point at the native stack on loopback
 * (`npm run stack`); the same variables point at managed services in production.
 * A wrong value stops start-up with one line naming the variable (see loadConfig).
 *
 * Each part of fluxo declares its settings in a file of its own here; this file only puts them together.
 * Keep README's configuration table in step with them.
 */
import { z } from 'zod';
import { alertsSettings } from './alerts';
import { catalogSettings } from './catalog';
import { consolidationSettings } from './consolidation';
import { insightsSettings } from './insights';
import { ledgerSettings } from './ledger';
import { maintenanceSettings } from './maintenance';
import { processSettings } from './process';
import { securitySettings } from './security';
import { storeSettings } from './stores';

/** Every setting fluxo reads, with its default. */
export const configSchema = z.object({
  ...processSettings,
  ...storeSettings,
  ...ledgerSettings,
  ...maintenanceSettings,
  ...securitySettings,
  ...catalogSettings,
  ...consolidationSettings,
  ...insightsSettings,
  ...alertsSettings,
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; the error message is one line naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
