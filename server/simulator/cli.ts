import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { TWILIO_WEBHOOK_PATHS } from '../channels/twilio-adapter.ts';
import { WHATSAPP_WEBHOOK_PATH } from '../channels/whatsapp-adapter.ts';
import { LINE_HELP, USAGE, parseInteractiveLine, parseSimulatorArgs, type SendTwilioCommand, type SendWhatsAppCommand, type ServeCommand } from './cli-args.ts';
import { demoPhoto } from './png.ts';
import { demoVoiceNote } from './voice-note.ts';
import { TwilioSimulator } from './twilio-simulator.ts';
import { WhatsAppSimulator, type GraphSend } from './whatsapp-simulator.ts';

/** `npm run simulator -- …`: the provider simulators as a program (see USAGE in cli-args.ts). */

function whatsAppText(sim: WhatsAppSimulator, from: string, body: string, name: string): unknown {
  const wa = from.replace(/^\+/, '');
  return sim.envelope({
    contacts: [{ profile: { name }, wa_id: wa }],
    messages: [{ from: wa, id: `wamid.${randomBytes(12).toString('hex')}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body } }],
  });
}

async function answer(res: Response): Promise<string> {
  const text = (await res.text()).trim();
  return `${res.status}${text ? ` ${text.slice(0, 200)}` : ''}`;
}

async function sendOnce(command: SendTwilioCommand | SendWhatsAppCommand): Promise<number> {
  // A simulator on a free loopback port signs exactly as the provider would; it is closed right after.
  if (command.kind === 'send-twilio') {
    const sim = await TwilioSimulator.start({ port: 0, accountSid: command.accountSid, authToken: command.authToken });
    try {
      const res = await sim.postSigned(command.webhook, sim.inboundParams({ from: command.from, to: command.to, body: command.body }));
      console.log(`server answered ${await answer(res)}`);
      return res.ok ? 0 : 1;
    } finally {
      await sim.close();
    }
  }
  const sim = await WhatsAppSimulator.start({ port: 0, phoneNumberId: command.phoneNumberId, appSecret: command.appSecret });
  try {
    const res = await sim.postSigned(command.webhook, whatsAppText(sim, command.from, command.body, command.name));
    console.log(`server answered ${await answer(res)}`);
    return res.ok ? 0 : 1;
  } finally {
    await sim.close();
  }
}

async function serve(command: ServeCommand): Promise<void> {
  const twilio = command.twilio ? await TwilioSimulator.start({ host: command.host, ...command.twilio }) : null;
  const whatsapp = command.whatsapp ? await WhatsAppSimulator.start({ host: command.host, ...command.whatsapp }) : null;
  if (whatsapp) whatsapp.webhookUrl = `${command.server}${WHATSAPP_WEBHOOK_PATH}`;
  const lines: string[] = [];
  if (twilio) {
    lines.push(
      `Twilio simulator on ${twilio.url}`,
      `  account sid  ${twilio.accountSid}`,
      `  auth token   ${twilio.authToken}`,
      '  point an SMS channel at it:',
      `    npm run server -- channel:twilio --channel ch_sales_sms --account-sid ${twilio.accountSid} --auth-token ${twilio.authToken} --api-base-url ${twilio.url} --public-url ${command.server}`,
    );
  }
  if (whatsapp) {
    lines.push(
      `WhatsApp simulator on ${whatsapp.url} (status webhooks to ${whatsapp.webhookUrl})`,
      `  phone number id  ${whatsapp.phoneNumberId}`,
      `  access token     ${whatsapp.accessToken}`,
      `  app secret       ${whatsapp.appSecret}`,
      `  verify token     ${whatsapp.verifyToken}`,
      '  point a WhatsApp channel at it:',
      `    npm run server -- channel:whatsapp --channel ch_sales_wa --phone-number-id ${whatsapp.phoneNumberId} --access-token ${whatsapp.accessToken} --app-secret ${whatsapp.appSecret} --verify-token ${whatsapp.verifyToken} --graph-base-url ${whatsapp.url}`,
    );
  }
  lines.push(`Inbound messages go to ${command.server}. Type a line to send one (help lists them); Ctrl+C stops.`, LINE_HELP);
  console.log(lines.join('\n'));

  // Print what the server sends through the simulators as it arrives.
  let seenSms = 0;
  let seenWa = 0;
  const watch = setInterval(() => {
    for (const m of twilio?.sent.slice(seenSms) ?? []) {
      const media = m.mediaUrls.length ? ` (+${m.mediaUrls.length} media)` : '';
      console.log(`← ${m.authorized ? '' : '[REFUSED: bad credentials] '}SMS ${m.form.From ?? m.form.MessagingServiceSid} → ${m.form.To}: ${m.form.Body ?? ''}${media} [${m.sid}]`);
    }
    seenSms = twilio?.sent.length ?? 0;
    for (const m of whatsapp?.sends.slice(seenWa) ?? []) {
      const text = m.body.type === 'text' ? (m.body.text?.body ?? '') : m.body.type === 'template' ? describeTemplate(m.body.template) : `(${m.body.type ?? 'unknown'} message)`;
      console.log(`← ${m.authorized ? '' : '[REFUSED: bad credentials] '}WhatsApp → +${(m.body.to ?? '').replace(/^\+/, '')}: ${text} [${m.wamid}]`);
    }
    seenWa = whatsapp?.sends.length ?? 0;
  }, 200);

  let photos = 0;
  const stop = async (code: number) => {
    clearInterval(watch);
    await Promise.all([twilio?.close(), whatsapp?.close()]);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const prompt = createInterface({ input: process.stdin });
  // Without a terminal (stdin closed or piped) the simulators keep serving until a signal.
  prompt.on('close', () => void (process.stdin.isTTY ? stop(0) : undefined));
  for await (const line of prompt) {
    const parsed = parseInteractiveLine(line);
    if (!parsed.ok) {
      console.log(parsed.error);
      continue;
    }
    const input = parsed.value;
    try {
      if (input.kind === 'help') console.log(LINE_HELP);
      else if (input.kind === 'quit') await stop(0);
      else if (input.kind === 'sms') {
        if (!twilio) throw new Error('the Twilio simulator is not running (--provider)');
        let params = twilio.inboundParams({ from: input.from, to: input.to, body: input.body, messageSid: `${input.photo ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}` });
        if (input.photo) params = twilio.withMedia(params, [{ url: twilio.serveMedia(`photo-${++photos}.png`, 'image/png', demoPhoto(Math.random())), contentType: 'image/png' }]);
        console.log(`→ server answered ${await answer(await twilio.postSigned(`${command.server}${TWILIO_WEBHOOK_PATHS.sms}`, params))}`);
      } else if (input.kind === 'wa') {
        if (!whatsapp) throw new Error('the WhatsApp simulator is not running (--provider)');
        const payload =
          input.media === 'voice'
            ? whatsapp.inboundMedia({ from: input.from, type: 'audio', contentType: 'audio/ogg; codecs=opus', body: demoVoiceNote(), voice: true })
            : input.media === 'photo'
              ? whatsapp.inboundMedia({ from: input.from, type: 'image', contentType: 'image/png', body: demoPhoto(Math.random()), caption: input.body || undefined })
              : whatsAppText(whatsapp, input.from, input.body, 'Customer');
        console.log(`→ server answered ${await answer(await whatsapp.postSigned(`${command.server}${WHATSAPP_WEBHOOK_PATH}`, payload))}`);
      }
    } catch (err) {
      console.log(`could not send: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

const parsed = parseSimulatorArgs(process.argv.slice(2), process.env);
if (!parsed.ok) {
  console.error(`${parsed.error}\n\n${USAGE}`);
  process.exit(2);
}
const command = parsed.value;
if (command.kind === 'help') console.log(USAGE);
else if (command.kind === 'serve') {
  await serve(command).catch((err: unknown) => {
    console.error(`could not start the simulator: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
} else process.exit(await sendOnce(command).catch((err: unknown) => (console.error(`could not send: ${err instanceof Error ? err.message : String(err)}`), 1)));

/** "template order_update (en_US): Dana, #4417" — the values are what the customer sees in the approved text. */
function describeTemplate(template: GraphSend['body']['template']): string {
  const values = (template?.components ?? []).flatMap((c) => c.parameters ?? []).map((p) => p.text ?? '');
  return `template ${template?.name ?? '?'} (${template?.language?.code ?? '?'})${values.length ? `: ${values.join(', ')}` : ''}`;
}
