import { RpcCallError } from '@plue/service-kit';
import { rejectionOf } from '@plue/testing';

/** The structured error a call failed with; fails the test when the call succeeded. */
export const failureOf = (call: Promise<unknown>) => rejectionOf(call, RpcCallError);
