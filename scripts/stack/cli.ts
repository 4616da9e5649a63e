/**
 * The native service manager: `npm run stack -- up|down|status|reset [service...]`.
 * Without service names, up/down/reset act on every service. Failures print one line and exit 1.
 */
import { createContext } from './context';
import { bringDown, bringUp, stateOf, wipe } from './lifecycle';
import { loadServices, pick } from './registry';
import { StackError } from './types';

const usage = 'usage: npm run stack -- up|down|status|reset [service...]';

async function main(argv: string[]): Promise<void> {
  const [command, ...names] = argv;
  const ctx = createContext();
  const services = pick(await loadServices(), names);
  switch (command) {
    case 'up':
      for (const service of services) await bringUp(ctx, service);
      break;
    case 'down':
      for (const service of [...services].reverse()) await bringDown(ctx, service);
      break;
    case 'reset':
      for (const service of [...services].reverse()) await wipe(ctx, service);
      break;
    case 'status': {
      for (const service of services) {
        const state = await stateOf(ctx, service);
        console.log(`${service.name.padEnd(10)} ${state.padEnd(9)} ${service.address}`);
      }
      break;
    }
    default:
      throw new Error(usage);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const line =
      error instanceof StackError
        ? `${error.service}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`stack: ${line}\n`);
    process.exit(1);
  },
);
