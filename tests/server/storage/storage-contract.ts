import { afterEach, beforeEach, describe } from 'vitest';
import type { Storage } from '../../../server/storage/storage.ts';
import { assistantContract } from './contract-assistant.ts';
import { attachmentsContract } from './contract-attachments.ts';
import { changeLogContract, ledgerContract } from './contract-log.ts';
import { historyContract } from './contract-history.ts';
import { accountsContract, recordsContract, settingsContract } from './contract-records.ts';
import { sendJobsContract } from './contract-send-jobs.ts';
import { surveysContract } from './contract-surveys.ts';
import { transactionsContract } from './contract-transactions.ts';

/** What each part of the suite gets: the store of the running test, and a way to open another on the same data. */
export interface ContractContext {
  storage(): Storage;
  open(): Promise<Storage>;
}

/**
 * The one behaviour suite of the storage contract (server/storage/storage.ts), run against every implementation
 * (tests/server/storage/sqlite.test.ts, postgres.test.ts). `open` gives a fresh, empty, migrated store per test.
 */
export function describeStorageContract(name: string, open: () => Promise<Storage>): void {
  describe(`storage contract: ${name}`, () => {
    let current: Storage | null = null;
    beforeEach(async () => {
      current = await open();
    });
    afterEach(async () => {
      await current?.close();
      current = null;
    });
    const ctx: ContractContext = {
      storage: () => {
        if (!current) throw new Error('no store open');
        return current;
      },
      open,
    };
    describe('records and lookups', () => recordsContract(ctx));
    describe('organisations, credentials and sessions', () => accountsContract(ctx));
    describe('settings, secrets and provider configuration', () => settingsContract(ctx));
    describe('change log', () => changeLogContract(ctx));
    describe('mutation ledger', () => ledgerContract(ctx));
    describe('send jobs', () => sendJobsContract(ctx));
    describe('attachment facts', () => attachmentsContract(ctx));
    describe('transactions', () => transactionsContract(ctx));
    describe('Message Assistant', () => assistantContract(ctx));
    describe('surveys', () => surveysContract(ctx));
    describe('windowed sync and history reads', () => historyContract(ctx));
  });
}
