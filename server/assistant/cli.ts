import { parseArgs } from 'node:util';
import { AssistantSettingsInput, type AssistantSettingsView, type OrgEdition } from '../../protocol/assistant.ts';
import { DATABASE_ARGS, DATABASE_USAGE, resolveDatabaseArgs } from '../admin/database-args.ts';
import { withServerDomain } from '../channels/offline-domain.ts';
import type { Domain } from '../domain/domain.ts';
import { listAssistantUses } from './audit.ts';
import { AssistantRefused, assistantSettingsView, findOrg, orgEditionOf, saveAssistantSettings, setAssistantEnabled, setOrgEdition } from './config.ts';

type Print = (line: string) => void;

const USAGE = [
  'usage: assistant:configure --base-url URL --model MODEL [--key KEY] [--mask-contact-details on|off] [--org ORG_ID] [--data-dir DIR]',
  '       assistant:enable | assistant:disable | assistant:status  [--org ORG_ID] [--data-dir DIR]',
  '       assistant:uses [--limit N] [--org ORG_ID] [--data-dir DIR]',
  '       org:edition customer-engagement|contact-center|status [--org ORG_ID] [--data-dir DIR]',
  `       (each also takes ${DATABASE_USAGE})`,
].join('\n');

const OPTIONS = {
  'base-url': { type: 'string' },
  model: { type: 'string' },
  key: { type: 'string' },
  'mask-contact-details': { type: 'string' },
  limit: { type: 'string' },
  org: { type: 'string' },
  ...DATABASE_ARGS,
  'redis-url': { type: 'string' },
} as const;

function describe(view: AssistantSettingsView): string[] {
  return [
    `edition: ${view.edition === 'contact_center' ? 'Contact Center (no Message Assistant)' : 'Customer Engagement'}`,
    `assistant: ${view.enabled ? 'enabled' : 'disabled'}`,
    `provider: ${view.baseUrl ?? '(not set)'}  model: ${view.model ?? '(not set)'}  key: ${view.hasKey ? 'set (kept on the server)' : 'none'}`,
    `mask phone numbers and email addresses: ${view.maskContactDetails ? 'on' : 'off'}`,
    `notice: ${view.notice}`,
  ];
}

/**
 * `npm run server -- assistant:*` and `org:edition` (issue 12): run by whoever administers the server, against
 * its database; a running server reads the new settings on the next use.
 */
export async function runAssistantCli(command: string, argv: string[], print: Print = console.log, printError: Print = console.error): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    printError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const where = resolveDatabaseArgs(values);
  if (!where.ok) {
    printError(`${where.error}\n${USAGE}`);
    return 2;
  }
  const dataDir = where.target;
  try {
    return await withServerDomain(dataDir, async (domain) => {
      const org = await findOrg(domain, values.org ?? null);
      if (!org) {
        printError(values.org ? `there is no organisation ${values.org}` : 'the server database has no organisation yet (start the server once)');
        return 1;
      }
      return runCommand(domain, org.id, command, values, positionals, print, printError);
    });
  } catch (err) {
    if (err instanceof AssistantRefused) {
      printError(err.message);
      return 1;
    }
    printError(`could not change the assistant settings: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return 1;
  }
}

async function runCommand(
  domain: Domain,
  orgId: string,
  command: string,
  values: { [K in keyof typeof OPTIONS]?: string },
  positionals: string[],
  print: Print,
  printError: Print,
): Promise<number> {
  const now = Date.now();
  switch (command) {
    case 'assistant:configure': {
      const mask = values['mask-contact-details'];
      if (mask !== undefined && mask !== 'on' && mask !== 'off') return usage(printError, '--mask-contact-details takes on or off');
      const current = await assistantSettingsView(domain, orgId);
      const input = AssistantSettingsInput.safeParse({
        baseUrl: values['base-url'] ?? current.baseUrl ?? '',
        model: values.model ?? current.model ?? '',
        key: values.key,
        maskContactDetails: mask === undefined ? current.maskContactDetails : mask === 'on',
        enabled: current.enabled,
      });
      if (!input.success) return usage(printError, input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const view = await saveAssistantSettings(domain, orgId, input.data, now);
      for (const line of describe(view)) print(line);
      if (!view.enabled) print('Turn it on with: npm run server -- assistant:enable');
      return 0;
    }
    case 'assistant:enable':
    case 'assistant:disable': {
      const view = await setAssistantEnabled(domain, orgId, command === 'assistant:enable', now);
      for (const line of describe(view)) print(line);
      return 0;
    }
    case 'assistant:status':
      for (const line of describe(await assistantSettingsView(domain, orgId))) print(line);
      return 0;
    case 'assistant:uses': {
      const limit = Number(values.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return usage(printError, '--limit takes a whole number from 1 to 1000');
      const uses = await listAssistantUses(domain, orgId, limit);
      if (uses.length === 0) print('no uses of the assistant yet');
      for (const u of uses) {
        const tokens = u.promptTokens === null && u.completionTokens === null ? 'tokens not reported' : `${u.promptTokens ?? '?'}+${u.completionTokens ?? '?'} tokens`;
        print(`${new Date(u.at).toISOString()}  ${u.userName}  ${u.kind}  ${u.conversationId}  ${u.providerHost}  ${u.model}  ${tokens}  ${u.outcome}  ${u.durationMs} ms`);
      }
      return 0;
    }
    case 'org:edition': {
      const [action] = positionals;
      const editions: Record<string, OrgEdition> = { 'customer-engagement': 'customer_engagement', 'contact-center': 'contact_center' };
      if (action === 'status') {
        print(`edition: ${(await orgEditionOf(domain, orgId)) === 'contact_center' ? 'contact-center' : 'customer-engagement'}`);
        return 0;
      }
      const edition = action ? editions[action] : undefined;
      if (!edition) return usage(printError, 'org:edition takes customer-engagement, contact-center or status');
      await setOrgEdition(domain, orgId, edition, now);
      print(`edition: ${action}${edition === 'contact_center' ? ' (the Message Assistant is off: it is not part of Contact Center)' : ''}`);
      return 0;
    }
    default:
      return usage(printError, `unknown command ${command}`);
  }
}

function usage(printError: Print, problem: string): number {
  printError(`${problem}\n${USAGE}`);
  return 2;
}
