/** Bumped on any incompatible change to sync frames or mutations. */
export const PROTOCOL_VERSION = 1;
