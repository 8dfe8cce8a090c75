import { assistantErrorText, assistantNotice } from '../../protocol/assistant.ts';
import type { IpcInput, IpcOutput } from '../../protocol/ipc.ts';

type AssistantMethods = 'assistant.state' | 'assistant.suggest' | 'assistant.generate' | 'assistant.cancel' | 'assistant.settings' | 'assistant.saveSettings' | 'assistant.uses';

/** The fake API's assistant: shown, not configured, past replies none (the real one is tested end to end). */
export function fakeAssistantHandlers(): { [M in AssistantMethods]: (input: IpcInput<M>) => IpcOutput<M> } {
  const notConfigured = { code: 'not_configured' as const, message: assistantErrorText('not_configured') };
  return {
    'assistant.state': () => ({ show: true, available: false, reason: notConfigured, notice: assistantNotice(null, false), canAdminister: false }),
    'assistant.suggest': () => ({ streaming: false, error: notConfigured, pastReplies: [] }),
    'assistant.generate': () => ({ streaming: false, error: notConfigured }),
    'assistant.cancel': () => ({}),
    'assistant.settings': () => {
      throw Object.assign(new Error('Only admins can set up the Message Assistant.'), { code: 'forbidden' });
    },
    'assistant.saveSettings': () => {
      throw Object.assign(new Error('Only admins can set up the Message Assistant.'), { code: 'forbidden' });
    },
    'assistant.uses': () => [],
  };
}
