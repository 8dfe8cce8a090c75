/** `npm run bench:renderer`: only the renderer section of `npm run bench` (BENCH_SCALE as there). */
import { runRendererBench } from './renderer-bench.ts';
await runRendererBench(Number(process.env.BENCH_SCALE ?? '1'));
