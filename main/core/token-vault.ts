export interface StoredSession {
  serverUrl: string;
  userId: string;
  token: string;
}

/** Where the session token lives between launches. Never a plain file. */
export interface TokenVault {
  load(): Promise<StoredSession | null>;
  save(v: StoredSession): Promise<void>;
  clear(): Promise<void>;
}

/** Browser host / plain Node: the token lives only as long as the process. */
export function memoryTokenVault(initial: StoredSession | null = null): TokenVault {
  let value = initial;
  return {
    load: async () => value,
    save: async (v) => {
      value = { ...v };
    },
    clear: async () => {
      value = null;
    },
  };
}
