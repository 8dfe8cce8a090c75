import type { RejectionCode } from '../../protocol/mutations.ts';

/** A business refusal: answered to the client as a rejection, never logged as a failure. */
export class Rejection extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'Rejection';
  }
}

export const reject = (code: RejectionCode, message: string): never => {
  throw new Rejection(code, message);
};
