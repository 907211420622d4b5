export { createDataSource } from './data-source';
export { readDatabaseConfig, ConfigurationError, type DatabaseConfig } from './database-config';
export { inTransaction, type Tx, type IsolationLevel } from './transaction';
export { toDomainError } from './database-error-mapping';
export {
  DomainError,
  ValidationError,
  NotFoundError,
  ConflictError,
  MissingReferenceError,
  InvalidValueError,
  UnauthenticatedError,
  PreconditionFailedError,
  UnavailableError,
  type DomainErrorCode,
} from './domain-errors';
export { parseInput } from './input-validation';
export { IdColumn, BigIntColumn, BigIntArrayColumn, bigintTransformer, bigintToNumber } from './bigint-columns';
export { hydrate, queryRows, queryEntities } from './raw-rows';
export { entityDrift } from './entity-drift';
