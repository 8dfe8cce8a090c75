import path from 'node:path';

/**
 * Where `npm start` keeps Switchboard's data (the embedded server's database and
 * the browser host's client caches): the platform's per-user data folder, or
 * SWITCHBOARD_DATA_DIR when set.
 */
export function switchboardDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (env.SWITCHBOARD_DATA_DIR) return path.resolve(env.SWITCHBOARD_DATA_DIR);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Switchboard');
  if (platform === 'win32') return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'Switchboard');
  // XDG: an empty or relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(xdg, 'switchboard');
}
