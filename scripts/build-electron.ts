import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

/**
 * Bundles what Electron runs: the shell + client core (CommonJS, as Electron's
 * main entry), the preload (CommonJS: sandboxed preloads cannot load ES
 * modules) and the sync server for the embedded utility process (ESM).
 * better-sqlite3 stays outside every bundle: it is a native addon that
 * electron-builder rebuilds for Electron and unpacks from the asar.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Native or optional packages that must be required at run time, never inlined. */
const NODE_EXTERNALS = ['electron', 'better-sqlite3-multiple-ciphers', 'bufferutil', 'utf-8-validate'];

export interface BuildElectronResult {
  main: string;
  preload: string;
  /** Null when server/cli.ts is not present (the packaged app then needs a server address). */
  server: string | null;
}

export async function buildElectron(root = ROOT, log: (line: string) => void = console.log): Promise<BuildElectronResult> {
  const out = (...parts: string[]) => path.join(root, 'dist', ...parts);
  const common: BuildOptions = {
    absWorkingDir: root,
    bundle: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    legalComments: 'none',
  };

  const main = out('main', 'electron-main.cjs');
  await build({
    ...common,
    entryPoints: [path.join(root, 'main', 'shell', 'electron-main.ts')],
    outfile: main,
    platform: 'node',
    // Electron 45 ships Node 22.
    target: 'node22',
    format: 'cjs',
    external: NODE_EXTERNALS,
    // ES modules of ours or of dependencies may read import.meta.url; give them the bundle's own URL.
    define: { 'import.meta.url': '__switchboardImportMetaUrl' },
    banner: { js: 'const __switchboardImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });

  const preload = out('preload', 'preload.cjs');
  await build({
    ...common,
    entryPoints: [path.join(root, 'preload', 'preload.ts')],
    outfile: preload,
    // A sandboxed preload has a browser-like environment and a require() that knows only `electron` and a few more.
    platform: 'browser',
    target: 'chrome140',
    format: 'cjs',
    external: ['electron'],
    // Parsed on every window load; zod is most of it.
    minify: true,
  });

  const serverEntry = path.join(root, 'server', 'cli.ts');
  let server: string | null = null;
  if (existsSync(serverEntry)) {
    server = out('server', 'server.mjs');
    await build({
      ...common,
      entryPoints: [serverEntry],
      outfile: server,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      external: NODE_EXTERNALS,
      // Bundled CommonJS dependencies call require(); an ES module has none of its own.
      banner: { js: 'import { createRequire as __switchboardCreateRequire } from "node:module"; const require = __switchboardCreateRequire(import.meta.url);' },
    });
  }
  log(`electron bundle: ${path.relative(root, main)}, ${path.relative(root, preload)}${server ? `, ${path.relative(root, server)}` : ''}`);
  return { main, preload, server };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  buildElectron().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
