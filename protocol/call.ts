import { z } from 'zod';

/**
 * Contact Center "Call the contact" / "Convert to a phone call" (issue 10 §3): which address the operating system is
 * handed. Decided here, once, as a pure function: the client core builds the URL, the Electron shell opens only what
 * `isCallUrl` accepts, and the server checks an admin's softphone template with the same schema.
 */

export const SOFTPHONE_NUMBER_PLACEHOLDER = '{number}';
const MAX_TEMPLATE_LENGTH = 500;
const E164 = /^\+[1-9]\d{6,14}$/;
/** tel: then a number in E.164, nothing else (no parameters such as ;phone-context or ;postd). */
const TEL_URL = /^tel:\+[1-9]\d{6,14}$/;

/** The schemes a call may ever open. https is only ever the admin's softphone template, filled. */
export const CALL_URL_SCHEMES = ['tel:', 'https:'] as const;

/** Where the placeholder may not be: in the scheme, credentials or host (the number must not choose the server). */
function templateProblem(template: string): string | null {
  if (!template.includes(SOFTPHONE_NUMBER_PLACEHOLDER)) return `the template needs ${SOFTPHONE_NUMBER_PLACEHOLDER} where the number goes`;
  let url: URL;
  try {
    url = new URL(template.split(SOFTPHONE_NUMBER_PLACEHOLDER).join('0'));
  } catch {
    return 'the template is not a web address (expected https://…?to={number})';
  }
  if (url.protocol !== 'https:') return 'the softphone address must start with https://';
  if (url.username !== '' || url.password !== '') return 'the softphone address cannot carry a user name or password';
  if (url.hostname === '') return 'the softphone address needs a host name';
  // Everything up to the end of the host (and port) must be fixed text: the number only fills the path, query or fragment.
  if (template.indexOf(SOFTPHONE_NUMBER_PLACEHOLDER) < url.origin.length) return `${SOFTPHONE_NUMBER_PLACEHOLDER} must come after the host name`;
  if (!template.startsWith(url.origin)) return 'write the softphone address in its plain form, e.g. https://phone.example.com/call?to={number}';
  return null;
}

/** An admin's softphone URL template, e.g. `https://softphone.example.com/dial?to={number}`. */
export const SoftphoneUrlTemplate = z
  .string()
  .trim()
  .min(1, 'a softphone address cannot be empty')
  .max(MAX_TEMPLATE_LENGTH, `a softphone address is at most ${MAX_TEMPLATE_LENGTH} characters`)
  .superRefine((value, ctx) => {
    const problem = templateProblem(value);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

/** The URL that starts a call to `number` (E.164): the softphone's when an admin set a valid template, else tel:. */
export function callUrl(number: string, softphoneUrlTemplate: string | null): string {
  if (!E164.test(number)) throw new Error('expected an E.164 phone number such as +14155550123');
  const template = softphoneUrlTemplate === null ? null : SoftphoneUrlTemplate.safeParse(softphoneUrlTemplate);
  if (template?.success) return template.data.split(SOFTPHONE_NUMBER_PLACEHOLDER).join(encodeURIComponent(number));
  return `tel:${number}`;
}

/** What the shell (and the browser host's page) agrees to open for a call: tel:+E164, or https to a named host without credentials. */
export function isCallUrl(raw: string): boolean {
  if (raw.length > MAX_TEMPLATE_LENGTH * 2) return false;
  if (raw.startsWith('tel:')) return TEL_URL.test(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.hostname !== '';
}

/** The number a conversation is called on: its customer's number, else the linked contact's first; null for a web chat visitor nobody knows. */
export function callableNumber(customerAddress: string, contactPhones: readonly string[]): string | null {
  if (E164.test(customerAddress)) return customerAddress;
  return contactPhones.find((p) => E164.test(p)) ?? null;
}
