import type { AnyRpcContract } from '@plue/contracts';
import { RpcCallError, type RpcClient } from '@plue/service-kit';
import { rejectionOf } from '@plue/testing';

/** The RpcCallError a call fails with (the test fails if it succeeds), sent without the client's own checks. */
export const rpcFailure = (rpc: RpcClient, contract: AnyRpcContract, request: unknown) =>
  rejectionOf(rpc.callUnchecked(contract, request), RpcCallError);
