import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { InProcessCommitPokes } from '../../../server/domain/commit-pokes.ts';

describe('InProcessCommitPokes', () => {
  it('instances on one bus hear each other, never themselves; a closed one hears nothing more', async () => {
    const bus = new EventEmitter<{ poke: [from: InProcessCommitPokes, head: number] }>();
    const [a, b, c] = [new InProcessCommitPokes(bus), new InProcessCommitPokes(bus), new InProcessCommitPokes(bus)];
    const heard: Record<string, number[]> = { a: [], b: [], c: [] };
    await a.subscribe((h) => heard.a!.push(h));
    await b.subscribe((h) => heard.b!.push(h));
    await c.subscribe((h) => heard.c!.push(h));
    a.publish(7);
    b.publish(9);
    await c.close();
    a.publish(10);
    expect(heard).toEqual({ a: [9], b: [7, 10], c: [7, 9] });
  });

  it('on its own bus (the embedded server) a poke reaches nobody', async () => {
    const alone = new InProcessCommitPokes();
    const heard: number[] = [];
    await alone.subscribe((h) => heard.push(h));
    alone.publish(3);
    expect(heard).toEqual([]);
  });
});
