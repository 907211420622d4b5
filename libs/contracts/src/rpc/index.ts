export {
  defineRpc,
  InvalidRpcContractError,
  RPC_PATTERN_SHAPE,
  RPC_ERROR_CODES,
  rpcErrorSchema,
  type RpcError,
  type RpcErrorCode,
  type RpcContract,
  type AnyRpcContract,
  type RpcRequestOf,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from './rpc-contract';
export * from './git.rpc';
export * from './collaboration.rpc';
export * from './agent.rpc';
export * from './auth.rpc';
