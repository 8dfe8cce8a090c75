import { createFakeApi, type FakeApi } from './fake-api.ts';

declare global {
  interface Window {
    /** The fake behind window.switchboard, for the harness to push events with. */
    switchboardFake?: FakeApi;
  }
}

// Bundled into an init script for the visual check: stands in for Electron's preload.
const params = new URLSearchParams(window.location.search);
const fake = createFakeApi({
  signedIn: params.get('signedIn') !== '0',
  connection: params.get('offline') ? { status: 'reconnecting', retryInMs: 8000, lastError: 'socket closed', pendingCount: 2 } : {},
});
window.switchboard = fake.api;
window.switchboardFake = fake;
