import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The renderer is loaded from file:// by Electron and from the local browser host, so every asset URL is
// relative ('./'). The output must run under a strict CSP (script-src 'self', no eval): Vue's runtime-only
// build is used (templates are compiled here, at build time), CSS goes to files, and the module-preload
// polyfill — the one piece Vite would otherwise inject into the entry — is turned off (Chromium has native
// modulepreload).
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [vue()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    // The one chunk over Vite's 500 kB default is the emoji data (emojibase-data/en/compact.json, ~570 kB),
    // loaded only when the emoji picker first opens; the app's own entry stays under it.
    chunkSizeWarningLimit: 640,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod places explanatory comments where Rollup looks for /*#__PURE__*/ annotations; Rollup drops the
        // comments and the code is unchanged, so the warning says nothing about our build.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/')) return;
        warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1' },
});
