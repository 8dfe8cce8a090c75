import { EventEmitter } from 'node:events';

/**
 * In-process poke after each commit. The change log is the truth; a poke only
 * says "read the log". Listeners must not throw (the emitter is synchronous).
 */
export interface FeedEvents {
  /** `here`: this process committed it (app.ts passes those on to the other instances); `elsewhere`: noticed. */
  committed: [head: number, origin: 'here' | 'elsewhere'];
  sessionRevoked: [sessionId: string];
}

export class ChangeFeed extends EventEmitter<FeedEvents> {
  constructor() {
    super();
    // One listener per live connection hub, not per socket; still, do not warn on many.
    this.setMaxListeners(0);
  }
}
