import { parseArgs } from 'node:util';
import { setSharedWorkstation, sharedWorkstationOf } from '../domain/device-keys.ts';
import { withServerDomain } from '../channels/offline-domain.ts';
import { DATABASE_ARGS, DATABASE_USAGE, resolveDatabaseArgs } from './database-args.ts';

const USAGE = `usage: org:shared-workstation on|off|status [--org ORG_ID] ${DATABASE_USAGE}`;

/**
 * `npm run server -- org:shared-workstation on|off|status`: the organisation's shared-workstation mode
 * (README "Shared workstations"). Run by whoever administers the server; clients pick it up at their next sign-in.
 */
export async function runSharedWorkstationCli(
  argv: string[],
  print: (line: string) => void = console.log,
  printError: (line: string) => void = console.error,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { org: { type: 'string' }, ...DATABASE_ARGS, 'redis-url': { type: 'string' } } });
  } catch (err) {
    printError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const [action, ...rest] = parsed.positionals;
  if ((action !== 'on' && action !== 'off' && action !== 'status') || rest.length > 0) {
    printError(USAGE);
    return 2;
  }
  const where = resolveDatabaseArgs(parsed.values);
  if (!where.ok) {
    printError(`${where.error}\n${USAGE}`);
    return 2;
  }
  const dataDir = where.target;
  const orgId = parsed.values.org ?? null;
  try {
    if (action === 'status') {
      const on = await withServerDomain(dataDir, (domain) => sharedWorkstationOf(domain, orgId));
      if (on === null) return noOrg(orgId, printError);
      print(`shared-workstation mode is ${on ? 'on' : 'off'}`);
      return 0;
    }
    const org = await withServerDomain(dataDir, (domain) => setSharedWorkstation(domain, orgId, action === 'on'));
    if (!org) return noOrg(orgId, printError);
    print(
      action === 'on'
        ? `shared-workstation mode is on for ${org.name}: from each person's next sign-in their cache key is held by the server and kept only in memory on the machine.`
        : `shared-workstation mode is off for ${org.name}: from each person's next sign-in the app keeps their cache key (and session) with the OS keychain.`,
    );
    return 0;
  } catch (err) {
    printError(`could not change the shared-workstation mode: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return 1;
  }
}

function noOrg(orgId: string | null, printError: (line: string) => void): number {
  printError(orgId ? `there is no organisation ${orgId}` : 'the server database has no organisation yet (start the server once)');
  return 1;
}
