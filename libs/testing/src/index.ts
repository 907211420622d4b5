export { TestDatabase, createTestDatabase, useTestDatabase, adminUrl, withDatabase } from './test-database';
export type { TestDatabaseOptions } from './test-database';
