import { isCallUrl } from '../../protocol/call.ts';
import type { ShellLike } from './electron-module.ts';

/**
 * What the core hands the shell to start a call (issue 10 §3): only tel:+E164 or an https address (the admin's
 * softphone template, filled) ever reaches the operating system; anything else is refused, whoever asked.
 */
export function callOpener(shell: ShellLike, log: (line: string) => void): (url: string) => Promise<void> {
  return async (url) => {
    if (!isCallUrl(url)) {
      log(`refused to open a call address outside the allowlist: ${url.slice(0, 80)}`);
      throw new Error('That call address is not allowed.');
    }
    await shell.openExternal(url);
  };
}
