import { z } from 'zod';

/** Epoch milliseconds. Numbers sort and index cheaply on both ends. */
export const Timestamp = z.number().int().nonnegative();
