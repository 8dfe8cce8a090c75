import type { IpcEventSource, IpcHandlers } from '../ipc-router.ts';

/**
 * Keeps the dock / taskbar badge at the sidebar's unread total. Re-reads the
 * sidebar only when the core says it changed; a change arriving while a read is
 * in flight schedules one more read instead of racing it.
 */
export function keepBadgeInSync(
  events: IpcEventSource,
  sidebar: IpcHandlers['sidebar.get'],
  setBadgeCount: (count: number) => void,
  log: (line: string) => void = () => {},
): () => void {
  let reading = false;
  let again = false;

  const refresh = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const view = await sidebar({});
        setBadgeCount(view.unreadTotal);
      } while (again);
    } catch (err) {
      log(`badge: could not read the sidebar: ${String(err)}`);
    } finally {
      reading = false;
    }
  };

  const offSession = events.on('session', (session) => {
    if (session.status === 'signedIn') void refresh();
    else setBadgeCount(0);
  });
  const offChanged = events.on('changed', (changed) => {
    if (changed.sidebar) void refresh();
  });
  return () => {
    offSession();
    offChanged();
  };
}
