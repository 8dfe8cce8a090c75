import type { ChangedViews } from '../../../protocol/ipc.ts';

/** Collects which views a write touched, so the renderer re-queries only those. */
export class ChangeCollector {
  sidebar = false;
  conversationList = false;
  readonly conversations = new Set<string>();

  conversation(id: string): void {
    this.conversations.add(id);
  }

  all(): void {
    this.sidebar = true;
    this.conversationList = true;
  }

  get empty(): boolean {
    return !this.sidebar && !this.conversationList && this.conversations.size === 0;
  }

  toViews(): ChangedViews {
    return { sidebar: this.sidebar, conversationList: this.conversationList, conversations: [...this.conversations] };
  }
}
