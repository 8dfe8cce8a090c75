import { runWindowBench } from './window-bench.ts';

/** `npm run bench:window`: only the windowed first sync part of `npm run bench` (part 7). */
await runWindowBench(Number(process.env.BENCH_SCALE ?? '1'));
