import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Builds the renderer (vite build → dist/renderer) when its output is missing
 * or older than any of its sources. Used by `npm start` and the e2e setup.
 */

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

export function rendererIsCurrent(root: string): boolean {
  const index = path.join(root, 'dist', 'renderer', 'index.html');
  if (!existsSync(index)) return false;
  const sources = ['renderer', 'protocol', 'vite.config.ts', 'package.json'].map((p) => path.join(root, p));
  return statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime));
}

/** Returns whether a build ran. */
export async function ensureRendererBuilt(root: string, log: (line: string) => void = () => {}): Promise<boolean> {
  if (rendererIsCurrent(root)) return false;
  log(existsSync(path.join(root, 'dist', 'renderer', 'index.html')) ? 'the renderer changed since its last build; rebuilding it…' : 'building the renderer…');
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), root: path.join(root, 'renderer'), logLevel: 'warn' });
  return true;
}
