import type { User } from '../../protocol/domain.ts';
import type { IpcHandlers } from '../ipc-router.ts';
import type { CacheAccess } from './cache-access.ts';
import type { SessionHost } from './client-session.ts';
import { createSession, deleteSession, probeServer } from './server-api.ts';

type SessionMethods = 'app.state' | 'server.probe' | 'session.signIn' | 'session.signOut';

const DONE = {} as Record<string, never>;

/** Signing in and out, and the state the renderer starts from. */
export function sessionIpcHandlers(host: SessionHost, access: CacheAccess): Pick<IpcHandlers, SessionMethods> {
  const { vault, defaultServerUrl } = host.deps;
  return {
    'app.state': () => ({ session: host.sessionState, connection: host.connectionState(), syncProgress: host.session?.progress.state ?? null, defaultServerUrl }),

    'server.probe': async ({ serverUrl }) => {
      const info = await probeServer(serverUrl);
      return { organisation: info.organisation, demoAccounts: info.demoAccounts };
    },

    'session.signIn': async ({ serverUrl, email, password }) => {
      const { token, user } = await createSession(serverUrl, { email: email.toLowerCase(), password });
      // Someone signing in over an open session: the previous person's cache is closed (its key gone with it).
      const previous = host.session;
      if (previous) host.end(previous);
      const opened = await access.openForSignIn(serverUrl, user, token).catch(async (err: unknown) => {
        if (previous) {
          await vault.clear();
          host.emitSession({ status: 'signedOut', serverUrl: previous.serverUrl, reason: null });
        }
        throw err;
      });
      // Shared workstation: the session lives only in memory, so a restart leaves nobody signed in.
      if (opened.sharedWorkstation) await vault.clear();
      else await vault.save({ serverUrl, userId: user.id, token });
      host.open(serverUrl, user, token, opened.cache);
      return { user };
    },

    'session.signOut': async () => {
      const s = host.requireSession();
      await deleteSession(s.serverUrl, s.token);
      host.end(s);
      await access.forget(s.cache, s.serverUrl, s.token);
      await vault.clear();
      host.link = { status: 'offline', retryInMs: null, lastError: null };
      host.emitConnection();
      host.emitSession({ status: 'signedOut', serverUrl: s.serverUrl, reason: null });
      return DONE;
    },
  };
}

/** Resumes the last session (offline work included) if the vault still holds it. */
export async function resumeStoredSession(host: SessionHost, access: CacheAccess): Promise<void> {
  const { vault } = host.deps;
  const stored = await vault.load();
  if (!stored) {
    await access.sweep([]);
    return;
  }
  try {
    const cache = await access.openForResume(stored.serverUrl, stored.userId);
    const userJson = cache?.getMeta('user') ?? null;
    if (cache && userJson) host.open(stored.serverUrl, JSON.parse(userJson) as User, stored.token, cache);
    else {
      cache?.close();
      await vault.clear();
    }
  } catch (err) {
    host.log(`client-core: could not resume the stored session: ${String(err)}`);
  }
}
