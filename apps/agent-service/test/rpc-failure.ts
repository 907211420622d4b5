import { RpcCallError } from '@plue/service-kit';
import { rejectionOf } from '@plue/testing';

/** The structured error a call failed with; fails the test when the call succeeded. */
export const failure = (call: Promise<unknown>) => rejectionOf(call, RpcCallError);

/** The fields a `validation_failed` error names, in its order. */
export const fieldsOf = (error: RpcCallError) =>
  (error.details as { issues: { field: string }[] }).issues.map((issue) => issue.field);
