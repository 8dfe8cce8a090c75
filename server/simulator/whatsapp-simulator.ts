import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { computeWhatsAppSignature } from '../channels/whatsapp-signature.ts';
import { listen } from './listen.ts';

export interface WhatsAppSimulatorOptions {
  /** 0 or absent = any free port. */
  port?: number;
  host?: string;
  phoneNumberId?: string;
  accessToken?: string;
  appSecret?: string;
  verifyToken?: string;
}

export interface GraphSend {
  phoneNumberId: string;
  /** The JSON body the server posted. */
  body: { messaging_product?: string; to?: string; type?: string; text?: { body?: string }; biz_opaque_callback_data?: string };
  wamid: string;
  authorized: boolean;
}

export type StatusStep = { status: string; error?: { code: number; title: string } };

/**
 * A minimal WhatsApp Cloud API: speaks POST /v21.0/{phone-number-id}/messages (records each
 * send, answers with a wamid) and POSTs signed webhooks (statuses, inbound messages) to the server.
 */
export class WhatsAppSimulator {
  readonly sends: GraphSend[] = [];
  /** Status webhooks sent automatically after each accepted send. */
  autoStatuses: StatusStep[] = [{ status: 'sent' }, { status: 'delivered' }];
  /** Where status webhooks go (the server's /webhooks/whatsapp); null = none sent. */
  webhookUrl: string | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly phoneNumberId: string,
    readonly accessToken: string,
    readonly appSecret: string,
    readonly verifyToken: string,
  ) {}

  static async start(options: WhatsAppSimulatorOptions = {}): Promise<WhatsAppSimulator> {
    let sim: WhatsAppSimulator | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const match = /^\/v21\.0\/([^/]+)\/messages$/.exec(req.url ?? '');
        if (!sim || req.method !== 'POST' || !match) return void res.writeHead(404).end();
        const authorized = req.headers.authorization === `Bearer ${sim.accessToken}` && match[1] === sim.phoneNumberId;
        let body: GraphSend['body'] = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphSend['body'];
        } catch {
          /* recorded as empty */
        }
        const wamid = `wamid.${randomBytes(12).toString('hex')}`;
        sim.sends.push({ phoneNumberId: match[1] ?? '', body, wamid, authorized });
        if (!authorized) {
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 190, message: 'Invalid OAuth access token.' } }));
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to?.replace(/^\+/, '') }], messages: [{ id: wamid }] }));
        void sim.playStatuses(wamid, body.to ?? '', body.biz_opaque_callback_data, [...sim.autoStatuses]);
      });
    });
    const host = options.host ?? '127.0.0.1';
    await listen(server, options.port ?? 0, host);
    const port = (server.address() as AddressInfo).port;
    sim = new WhatsAppSimulator(
      server,
      `http://${host}:${port}`,
      options.phoneNumberId ?? String(100000000000000 + Math.floor(Math.random() * 1e12)),
      options.accessToken ?? `EAAG${randomBytes(16).toString('hex')}`,
      options.appSecret ?? randomBytes(16).toString('hex'),
      options.verifyToken ?? `verify-${randomBytes(8).toString('hex')}`,
    );
    return sim;
  }

  private async playStatuses(wamid: string, to: string, callbackData: string | undefined, steps: StatusStep[]): Promise<void> {
    if (!this.webhookUrl) return;
    for (const step of steps) {
      await new Promise((r) => setTimeout(r, 10));
      const status: Record<string, unknown> = { id: wamid, status: step.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: to.replace(/^\+/, '') };
      if (callbackData) status.biz_opaque_callback_data = callbackData;
      if (step.error) status.errors = [{ code: step.error.code, title: step.error.title }];
      await this.postSigned(this.webhookUrl, this.envelope({ statuses: [status] })).catch(() => {});
    }
  }

  /** The webhook envelope Meta sends around one change value. */
  envelope(value: Record<string, unknown>): unknown {
    return {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA_ID',
          changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '14155550101', phone_number_id: this.phoneNumberId }, ...value } }],
        },
      ],
    };
  }

  /** An inbound text message payload (from: digits without +, as WhatsApp sends it). */
  inboundText(input: { from: string; body: string; id?: string }): unknown {
    const wa = input.from.replace(/^\+/, '');
    return this.envelope({
      contacts: [{ profile: { name: 'Customer' }, wa_id: wa }],
      messages: [{ from: wa, id: input.id ?? `wamid.${randomBytes(12).toString('hex')}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: input.body } }],
    });
  }

  /** POSTs `payload` (or a raw string, sent byte for byte) signed with the app secret (or `secret` / `signature`). */
  async postSigned(url: string, payload: unknown, options: { secret?: string; signature?: string | null; signedBody?: string } = {}): Promise<Response> {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const signature = options.signature === undefined ? computeWhatsAppSignature(options.secret ?? this.appSecret, options.signedBody ?? raw) : options.signature;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return fetch(url, { method: 'POST', headers, body: raw });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
