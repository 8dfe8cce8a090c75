import { parseArgs } from 'node:util';
import { RoutingMode } from '../../protocol/domain.ts';
import { withServerDomain } from '../channels/offline-domain.ts';
import { createQueue } from '../domain/routing/create-queue.ts';
import { DATABASE_ARGS, DATABASE_USAGE, resolveDatabaseArgs } from './database-args.ts';

const USAGE = `usage: queue:create INBOX_ID --name NAME --members EMAIL[,EMAIL…] [--mode assign|offer] [--capacity N] [--org ORG_ID] ${DATABASE_USAGE}`;

/**
 * `npm run server -- queue:create`: an inbox queue with its members (README "Contact Center queues and routing").
 * Channels are added as for any inbox; the app's Manage changes members and settings afterwards.
 */
export async function runQueueCli(argv: string[], print: (line: string) => void = console.log, printError: (line: string) => void = console.error): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        members: { type: 'string' },
        mode: { type: 'string', default: 'assign' },
        capacity: { type: 'string', default: '3' },
        org: { type: 'string' },
        ...DATABASE_ARGS,
        'redis-url': { type: 'string' },
      },
    });
  } catch (err) {
    printError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const [inboxId, ...rest] = parsed.positionals;
  const mode = RoutingMode.safeParse(parsed.values.mode);
  const where = resolveDatabaseArgs(parsed.values);
  if (!inboxId || rest.length || !parsed.values.name || !parsed.values.members || !mode.success || !where.ok) {
    printError(where.ok ? USAGE : `${where.error}\n${USAGE}`);
    return 2;
  }
  const input = {
    orgId: parsed.values.org ?? null,
    inboxId,
    name: parsed.values.name,
    memberEmails: parsed.values.members.split(',').map((e) => e.trim()).filter(Boolean),
    mode: mode.data,
    defaultCapacity: Number(parsed.values.capacity),
  };
  try {
    const result = await withServerDomain(where.target, (domain) => domain.write((tx) => createQueue(tx, input)));
    if (!result.ok) {
      printError(`queue:create: ${result.error}`);
      return 1;
    }
    print(`created inbox queue ${result.inbox.name} (${result.inbox.id}): ${input.mode} mode, capacity ${input.defaultCapacity}, ${input.memberEmails.length} member(s)`);
    return 0;
  } catch (err) {
    printError(`could not create the queue: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return 1;
  }
}
