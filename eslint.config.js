// Layering is enforced here, as errors: the folders say the runtime.
//   protocol/  pure contracts: imports nothing of ours but itself, no Node, no DOM libraries
//   boundary/  Node: the HTTP boundary every server of ours goes through; imports nothing of ours but itself
//   server/    Node: protocol + boundary + server (server/domain/ never imports Redis, server/shared-state/, node:fs,
//              S3, server/blobs/ or a storage engine: it sees ports)
//   main/      Node: protocol + boundary + main (only main/shell/ may import `electron`)
//   preload/   bridge: protocol + `electron` (contextBridge, ipcRenderer) only
//   renderer/  DOM: protocol + renderer + vue/pinia; never Node, Electron, main or server
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'url', 'events', 'stream', 'worker_threads'];
const pattern = (group, message) => ({ group, message });
const ours = {
  server: pattern(['**/server/**'], 'only server/ imports server modules'),
  main: pattern(['**/main/**'], 'only main/ imports main modules'),
  renderer: pattern(['**/renderer/**'], 'only renderer/ imports renderer modules'),
  preload: pattern(['**/preload/**'], 'nothing imports preload/'),
  protocol: pattern(['**/protocol/**'], 'boundary/ knows HTTP, not our contracts'),
  boundary: pattern(['**/boundary/**'], 'only server/ and main/ (Node) import the HTTP boundary'),
  electron: pattern(['electron', 'electron/*', 'electron-store'], 'only the Electron shell (main/shell/) and preload/ import electron'),
  sqlite: pattern(['better-sqlite3-multiple-ciphers'], 'only server/ and main/ import better-sqlite3'),
  ws: pattern(['ws'], 'only server/ and main/ import ws'),
  node: pattern(nodeBuiltins, 'this layer runs without Node'),
  redis: pattern(['redis', '@redis/*', '**/shared-state/**'], 'the domain sees ports; Redis implementations live in server/shared-state/ and are injected by app.ts'),
  storage: pattern(
    ['node:fs', 'node:fs/*', 'fs', 'fs/*', '@aws-sdk/*', '**/blobs/**', '**/storage/sqlite/**', '**/storage/postgres/**'],
    'the domain sees the storage and blob-store contracts (server/storage/*.ts); files, S3 and the engines live behind them',
  ),
};
const restrict = (...groups) => ({ 'no-restricted-imports': ['error', { patterns: groups }] });

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'release/**', 'coverage/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  { files: ['protocol/**'], rules: restrict(ours.server, ours.main, ours.boundary, ours.renderer, ours.preload, ours.electron, ours.sqlite, ours.ws, ours.node) },
  { files: ['boundary/**'], rules: restrict(ours.protocol, ours.server, ours.main, ours.renderer, ours.preload, ours.electron, ours.sqlite, ours.ws) },
  { files: ['server/**'], rules: restrict(ours.main, ours.renderer, ours.preload, ours.electron) },
  { files: ['server/domain/**'], rules: restrict(ours.main, ours.renderer, ours.preload, ours.electron, ours.redis, ours.storage) },
  { files: ['main/**'], ignores: ['main/shell/**'], rules: restrict(ours.server, ours.renderer, ours.preload, ours.electron) },
  { files: ['main/shell/**'], rules: restrict(ours.server, ours.renderer, ours.preload) },
  { files: ['preload/**'], rules: restrict(ours.server, ours.main, ours.boundary, ours.renderer, ours.sqlite, ours.ws) },
  { files: ['renderer/**'], rules: restrict(ours.server, ours.main, ours.boundary, ours.preload, ours.electron, ours.sqlite, ours.ws, ours.node) },
);
