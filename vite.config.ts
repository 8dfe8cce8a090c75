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
  },
  server: { host: '127.0.0.1' },
});
