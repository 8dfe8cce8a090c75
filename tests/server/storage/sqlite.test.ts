import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { describeStorageContract } from './storage-contract.ts';

// The embedded store: a fresh in-memory database per test.
describeStorageContract('sqlite', async () => openSqliteStorage({ file: ':memory:' }));
