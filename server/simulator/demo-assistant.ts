import { withServerDomain } from '../channels/offline-domain.ts';
import { assistantSettingsView, findOrg, saveAssistantSettings } from '../assistant/config.ts';
import { OpenAiSimulator } from './openai-simulator.ts';

export interface DemoAssistant {
  simulator: OpenAiSimulator;
  /** What the start banner says. */
  banner: string;
  stop(): Promise<void>;
}

/** Loopback hosts: settings pointing there were made by an earlier demo start (the simulator's port changes). */
const isLoopback = (baseUrl: string | null) => !baseUrl || /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(baseUrl);

/**
 * `npm start` in the demo workspace (issue 12): an OpenAI-compatible simulator stands in for the provider and
 * the assistant is set up and enabled against it, so a new user sees it work. An admin who pointed the
 * assistant at a real provider keeps that: only unset or earlier-simulator settings are replaced.
 */
export async function startDemoAssistant(options: { dataDir: string; log: (line: string) => void }): Promise<DemoAssistant> {
  const simulator = await OpenAiSimulator.start({ apiKey: null, latencyMs: 250, chunkDelayMs: 30 });
  try {
    const configured = await withServerDomain(options.dataDir, async (domain) => {
      const org = await findOrg(domain, null);
      if (!org) return null;
      const current = await assistantSettingsView(domain, org.id);
      if (current.edition !== 'customer_engagement' || !isLoopback(current.baseUrl)) return current.baseUrl;
      await saveAssistantSettings(domain, org.id, { baseUrl: simulator.url, model: 'demo-assistant', key: '', maskContactDetails: false, enabled: true }, Date.now());
      return simulator.url;
    });
    const banner =
      configured === simulator.url
        ? `The Message Assistant answers from a local simulator at ${simulator.url} (README "Message Assistant" points it at a real provider).`
        : `The Message Assistant keeps its provider${configured ? ` (${configured})` : ''}; the simulator at ${simulator.url} is unused.`;
    options.log(banner);
    return { simulator, banner, stop: () => simulator.close() };
  } catch (err) {
    await simulator.close();
    throw err;
  }
}
