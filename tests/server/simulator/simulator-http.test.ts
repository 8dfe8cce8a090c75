import { describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../../../server/simulator/twilio-simulator.ts';
import { WhatsAppSimulator } from '../../../server/simulator/whatsapp-simulator.ts';
import { rawExchange } from '../../support/raw-http.ts';

/** The simulators run inside `npm start`'s process: they sit behind the same HTTP boundary. */
describe('provider simulators behind the HTTP boundary', () => {
  it.each([
    ['twilio', () => TwilioSimulator.start(), '/2010-04-01/Accounts/%ff/Messages.json'],
    ['whatsapp', () => WhatsAppSimulator.start(), '/v21.0/%ff/messages'],
  ] as const)('%s: a malformed target is a 400 and the simulator keeps answering', async (_name, start, malformed) => {
    const sim = await start();
    try {
      const port = Number(new URL(sim.url).port);
      for (const target of [malformed, 'http://[']) {
        expect((await rawExchange(port, `POST ${target} HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n`)).statuses, target).toEqual([400]);
      }
      expect((await fetch(`${sim.url}/nothing-here`)).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});
