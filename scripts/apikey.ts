/**
 * `npm run apikey -- <command>`: manage API keys in the configured database (DATABASE_URL).
 *   create --name <name> --roles <role,role> [--expires-days <n>]   prints the key once
 *   revoke <key_id>
 *   list [--all]
 */
import { loadConfig } from '../src/config';
import { createApiKey, listApiKeys, revokeApiKey } from '../src/api/auth/api-key-store';
import type { Role } from '../src/domain/roles';
import { createPostgresStore } from '../src/stores/postgres';

const USAGE = 'usage: npm run apikey -- create --name <name> --roles <role,role> [--expires-days <n>] | revoke <key_id> | list [--all]';

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const postgres = createPostgresStore(loadConfig());
  const pool = postgres.pool();
  const by = `cli:${process.env.USER ?? 'unknown'}`;
  try {
    switch (command) {
      case 'create': {
        const name = option(args, 'name');
        const roles = option(args, 'roles')?.split(',').map((role) => role.trim()).filter(Boolean) as Role[] | undefined;
        const days = option(args, 'expires-days');
        if (!name || !roles?.length) throw new Error(USAGE);
        const expiresAt = days ? new Date(Date.now() + Number(days) * 86_400_000) : undefined;
        const { key, record } = await createApiKey(pool, { name, roles, createdBy: by, expiresAt });
        console.log(`key_id ${record.keyId}\nname   ${record.name}\nroles  ${record.roles.join(',')}${record.expiresAt ? `\nexpires ${record.expiresAt}` : ''}`);
        console.log(`key    ${key}\n(shown once: store it now; send it as Authorization: Bearer <key>)`);
        return;
      }
      case 'revoke': {
        const keyId = args[0];
        if (!keyId) throw new Error(USAGE);
        if (!(await revokeApiKey(pool, keyId, by))) throw new Error(`no live API key ${keyId}`);
        console.log(`revoked ${keyId}`);
        return;
      }
      case 'list': {
        for (const key of await listApiKeys(pool, args.includes('--all'))) {
          console.log([key.keyId, key.name, key.roles.join(','), key.keyPrefix, key.revokedAt ? `revoked ${key.revokedAt}` : 'live'].join('\t'));
        }
        return;
      }
      default:
        throw new Error(USAGE);
    }
  } finally {
    await postgres.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`apikey: ${error.message}\n`);
  process.exit(1);
});
