import { DomainError, ValidationError } from '@plue/db';

/**
 * DAO errors name the DAO's inputs (issue ids); requests name issues by number. Renames `daoField`
 * in the error `work` fails with to `requestField`, so the caller learns which of its own fields
 * was wrong.
 */
export async function withRequestField<T>(work: Promise<T>, daoField: string, requestField: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(
        error.issues.map((issue) => (issue.field === daoField ? { ...issue, field: requestField } : issue)),
      );
    }
    if (error instanceof DomainError && error.details.field === daoField) error.details.field = requestField;
    throw error;
  }
}
