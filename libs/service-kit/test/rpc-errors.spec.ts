import { ConflictError, InvalidValueError, MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { toRpcError } from '../src/rpc-errors';

it('keeps each domain error’s code, message and details', () => {
  const details = { constraint: 'repositories_user_id_lower_name_key', sqlstate: '23505' };
  expect(toRpcError(new ConflictError('name taken', details))).toEqual({
    code: 'conflict',
    message: 'name taken',
    details,
  });
  expect(toRpcError(new NotFoundError('no such repository')).code).toBe('not_found');
  expect(toRpcError(new MissingReferenceError('no such user')).code).toBe('missing_reference');
  expect(toRpcError(new InvalidValueError('bad value')).code).toBe('invalid_value');
});

it('lists every field of a validation error', () => {
  const error = new ValidationError([
    { field: 'name', message: 'too short' },
    { field: 'ownerId', message: 'expected number' },
  ]);
  expect(toRpcError(error)).toEqual({
    code: 'validation_failed',
    message: 'name: too short; ownerId: expected number',
    details: { field: 'name', issues: error.issues },
  });
});

it('says nothing about an unexpected error but that it happened', () => {
  const error = new TypeError("Cannot read properties of undefined (reading 'id') at /srv/app/dist/x.js:10:5");
  expect(toRpcError(error)).toEqual({ code: 'internal', message: 'internal error', details: {} });
});
