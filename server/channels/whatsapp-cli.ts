import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Id, type WhatsAppTemplate } from '../../protocol/domain.ts';
import { templateParameters } from '../../protocol/whatsapp-templates.ts';
import type { WhatsAppConfigInput } from '../domain/domain.ts';
import { DATABASE_ARGS, DATABASE_USAGE, resolveDatabaseArgs, type AdminTarget } from '../admin/database-args.ts';
import { withServerDomain } from './offline-domain.ts';
import { WHATSAPP_WEBHOOK_PATH } from './whatsapp-adapter.ts';

/** Stores a channel's WhatsApp Cloud API configuration in the server database at `dataDir` (a running server picks it up). */
export function configureWhatsAppChannel(dataDir: string | AdminTarget, channelId: string, config: WhatsAppConfigInput): Promise<void> {
  return withServerDomain(dataDir, (domain) => domain.providers.configureWhatsAppChannel(channelId, config));
}

/**
 * `npm run server -- channel:whatsapp --channel ch_x --phone-number-id 1234… --access-token … --app-secret …
 *  --verify-token … [--graph-base-url …] [--public-url https://…] [--data-dir DIR]`.
 * Secrets may come from WHATSAPP_ACCESS_TOKEN / WHATSAPP_APP_SECRET / WHATSAPP_VERIFY_TOKEN instead.
 */
export async function runWhatsAppCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      channel: { type: 'string' },
      'phone-number-id': { type: 'string' },
      'access-token': { type: 'string' },
      'app-secret': { type: 'string' },
      'verify-token': { type: 'string' },
      'graph-base-url': { type: 'string' },
      'public-url': { type: 'string' },
      ...DATABASE_ARGS,
      'redis-url': { type: 'string' },
    },
  });
  const accessToken = values['access-token'] ?? process.env.WHATSAPP_ACCESS_TOKEN;
  const appSecret = values['app-secret'] ?? process.env.WHATSAPP_APP_SECRET;
  const verifyToken = values['verify-token'] ?? process.env.WHATSAPP_VERIFY_TOKEN;
  if (!values.channel || !values['phone-number-id'] || !accessToken || !appSecret || !verifyToken) {
    console.error(
      `usage: channel:whatsapp --channel ch_x --phone-number-id 1234… --access-token … --app-secret … --verify-token … (or WHATSAPP_ACCESS_TOKEN / WHATSAPP_APP_SECRET / WHATSAPP_VERIFY_TOKEN) [--graph-base-url …] [--public-url https://…] ${DATABASE_USAGE}`,
    );
    return 2;
  }
  const where = resolveDatabaseArgs(values);
  if (!where.ok) {
    console.error(where.error);
    return 2;
  }
  try {
    await configureWhatsAppChannel(where.target, values.channel, {
      phoneNumberId: values['phone-number-id'],
      accessToken,
      appSecret,
      verifyToken,
      graphBaseUrl: values['graph-base-url'],
    });
  } catch (err) {
    // Never echo the configuration back: it holds the access token and app secret.
    console.error(`could not configure ${values.channel}: ${err instanceof Error ? err.message.split('\n')[0] : 'invalid configuration'}`);
    return 1;
  }
  const base = (values['public-url'] ?? 'https://<your public server address>').replace(/\/+$/, '');
  console.log(
    `configured WhatsApp for ${values.channel}.\nIn Meta's app dashboard (WhatsApp → Configuration → Webhook) set the callback URL to ${base}${WHATSAPP_WEBHOOK_PATH}, enter the verify token you chose, and subscribe to the "messages" field.`,
  );
  return 0;
}

// ------------------------------------------------------------ approved templates

/** A template as an admin writes it: name and language exactly as approved in WhatsApp Manager. */
const TemplateEntry = z.strictObject({
  /** Optional: by default derived from channel, name and language, so re-importing keeps ids stable. */
  id: Id.optional(),
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name is lowercase letters, digits and underscores, as approved by Meta'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'a language code such as en_US'),
  /** What the customer receives, shown to agents in the picker and stored as the message body. */
  body: z.string().trim().min(1).max(1024),
});

/** The answer of Meta's GET /{waba-id}/message_templates, so an export can be used as is; only APPROVED ones are kept. */
const MetaExport = z.looseObject({
  data: z.array(
    z.looseObject({
      name: z.string(),
      language: z.string(),
      status: z.string().optional(),
      components: z.array(z.looseObject({ type: z.string(), text: z.string().optional(), format: z.string().optional() })).default([]),
    }),
  ),
});
type MetaTemplate = z.infer<typeof MetaExport>['data'][number];

/** Our own list, bare or as `{ "templates": [...] }`. */
const TemplateList = z.union([z.array(TemplateEntry), z.strictObject({ templates: z.array(TemplateEntry) }).transform((f) => f.templates)]);

/** Sends fill body parameters only: a media header or a parameter outside the body would be refused by Meta. */
function metaTemplateProblem(template: MetaTemplate): string | null {
  for (const component of template.components) {
    const type = component.type.toUpperCase();
    if (type === 'BODY') continue;
    if (type === 'HEADER' && (component.format ?? 'TEXT').toUpperCase() !== 'TEXT') {
      return `its header is ${(component.format ?? '').toLowerCase()}, which needs a file at send time; only text headers are supported`;
    }
    if (/\{\{/.test(JSON.stringify(component))) return `its ${type.toLowerCase()} component has parameters; only body parameters like {{1}} are supported`;
  }
  return null;
}

/** Stable id of a channel's template (ids are what clients and queued sends refer to). */
export const templateId = (channelId: string, name: string, language: string): string =>
  `tpl_${createHash('sha256').update(`${channelId}\0${name}\0${language}`).digest('hex').slice(0, 24)}`;

export interface ParsedTemplates {
  templates: WhatsAppTemplate[];
  /** Approved templates of a Meta export that cannot be sent from here, each with the reason. */
  skipped: string[];
}

const describeIssues = (issues: readonly z.core.$ZodIssue[], prefix = ''): string =>
  issues
    .slice(0, 5)
    .map((i) => `${[prefix, ...i.path].filter((p) => p !== '').join('.') || '(file)'}: ${i.message}`)
    .join('; ');

/** Meta's export: the approved templates that can be sent; the others are listed as skipped, not fatal. */
function entriesOfMetaExport(data: MetaTemplate[]): { entries: z.infer<typeof TemplateEntry>[]; skipped: string[] } {
  const entries: z.infer<typeof TemplateEntry>[] = [];
  const skipped: string[] = [];
  for (const [index, template] of data.entries()) {
    if ((template.status ?? 'APPROVED').toUpperCase() !== 'APPROVED') continue;
    const body = template.components.find((c) => c.type.toUpperCase() === 'BODY')?.text ?? '';
    const problem = metaTemplateProblem(template) ?? unsendableBody(body);
    if (problem) {
      skipped.push(`${template.name} (${template.language}): ${problem}`);
      continue;
    }
    const entry = TemplateEntry.safeParse({ name: template.name, language: template.language, body });
    if (!entry.success) throw new Error(`the templates file has a template Switchboard cannot read: ${describeIssues(entry.error.issues, `data.${index}`)}`);
    entries.push(entry.data);
  }
  return { entries, skipped };
}

function unsendableBody(body: string): string | null {
  const shape = templateParameters(body);
  return 'problem' in shape ? shape.problem : null;
}

/**
 * A channel's approved templates from a JSON file's text: either `[{ name, language, body, id? }]`
 * (or `{ "templates": [...] }`), or Meta's message_templates export. A list of our own must be wholly
 * sendable (throws with the problems named); from Meta's export, templates that cannot be sent are skipped.
 */
export function parseWhatsAppTemplates(channelId: string, text: string): ParsedTemplates {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('the templates file is not JSON');
  }
  let entries: z.infer<typeof TemplateEntry>[];
  let skipped: string[] = [];
  const meta = typeof json === 'object' && json !== null && 'data' in json ? MetaExport.safeParse(json) : null;
  if (meta?.success) ({ entries, skipped } = entriesOfMetaExport(meta.data.data));
  else {
    const own = TemplateList.safeParse(json);
    if (!own.success) throw new Error(`the templates file is not a list of { name, language, body }: ${describeIssues((meta ?? own).error?.issues ?? [])}`);
    entries = own.data;
  }
  if (entries.length > 100) throw new Error(`a channel can have at most 100 templates (the file has ${entries.length})`);
  const templates: WhatsAppTemplate[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const problem = unsendableBody(entry.body);
    if (problem) throw new Error(`template ${entry.name} (${entry.language}) cannot be sent: ${problem}`);
    const id = entry.id ?? templateId(channelId, entry.name, entry.language);
    const key = `${entry.name}\0${entry.language}`;
    if (seen.has(key) || seen.has(id)) throw new Error(`template ${entry.name} (${entry.language}) is listed twice`);
    seen.add(key);
    seen.add(id);
    templates.push({ id, name: entry.name, language: entry.language, body: entry.body });
  }
  return { templates, skipped };
}

/** Replaces a WhatsApp channel's templates in the server database at `dataDir` (a channel write: it syncs to clients). */
export function setWhatsAppTemplates(dataDir: string | AdminTarget, channelId: string, templates: WhatsAppTemplate[]): Promise<void> {
  return withServerDomain(dataDir, (domain) => domain.providers.setWhatsAppTemplates(channelId, templates));
}

const TEMPLATES_USAGE = `usage: channel:whatsapp-templates --channel ch_x --file templates.json ${DATABASE_USAGE}`;

/** The arguments of channel:whatsapp-templates, or the usage line. */
export function parseWhatsAppTemplatesArgs(argv: string[]): ({ channel: string; file: string } & AdminTarget) | { usage: string } {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { channel: { type: 'string' }, file: { type: 'string' }, ...DATABASE_ARGS, 'redis-url': { type: 'string' } } }));
  } catch (err) {
    return { usage: `${err instanceof Error ? err.message : String(err)}\n${TEMPLATES_USAGE}` };
  }
  if (!values.channel || !values.file) return { usage: TEMPLATES_USAGE };
  const where = resolveDatabaseArgs(values);
  if (!where.ok) return { usage: `${where.error}\n${TEMPLATES_USAGE}` };
  return { channel: values.channel, file: values.file, ...where.target };
}

/**
 * `npm run server -- channel:whatsapp-templates --channel ch_x --file templates.json [--data-dir DIR | --database-url …]`:
 * replaces the channel's approved templates (an empty list removes them).
 */
export async function runWhatsAppTemplatesCli(argv: string[]): Promise<number> {
  const args = parseWhatsAppTemplatesArgs(argv);
  if ('usage' in args) {
    console.error(args.usage);
    return 2;
  }
  try {
    const { templates, skipped } = parseWhatsAppTemplates(args.channel, readFileSync(args.file, 'utf8'));
    await setWhatsAppTemplates(args, args.channel, templates);
    for (const line of skipped) console.error(`skipped ${line}`);
    console.log(`${args.channel} now has ${templates.length} approved template(s)${templates.length ? `: ${templates.map((t) => `${t.name} (${t.language})`).join(', ')}` : ''}.`);
    return 0;
  } catch (err) {
    console.error(`could not set the templates of ${args.channel}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return 1;
  }
}
