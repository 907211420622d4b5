import { z } from 'zod';
import { STREAMS, subjectMatches } from '../streams';
import { AGENT_RPC_CONTRACTS } from './agent.rpc';
import { AUTH_RPC_CONTRACTS } from './auth.rpc';
import { COLLABORATION_RPC_CONTRACTS } from './collaboration.rpc';
import { GIT_RPC_CONTRACTS } from './git.rpc';
import { defineRpc, InvalidRpcContractError } from './rpc-contract';

it('keeps every request/reply pattern out of the event streams', () => {
  for (const { pattern } of [
    ...AUTH_RPC_CONTRACTS,
    ...GIT_RPC_CONTRACTS,
    ...COLLABORATION_RPC_CONTRACTS,
    ...AGENT_RPC_CONTRACTS,
  ]) {
    for (const stream of STREAMS) {
      for (const filter of stream.subjects) expect(subjectMatches(filter, pattern)).toBe(false);
    }
  }
});

it('refuses a pattern that is not plue.rpc.<domain>.<entity>.<verb>', () => {
  const shape = { request: z.object({}), reply: z.object({}), errors: [] };
  expect(() => defineRpc({ pattern: 'plue.git.repository.create', ...shape })).toThrow(InvalidRpcContractError);
  expect(() => defineRpc({ pattern: 'plue.rpc.Git.repository.create', ...shape })).toThrow(InvalidRpcContractError);
});

it('lets every pattern return internal besides the codes it declares', () => {
  const contract = defineRpc({
    pattern: 'plue.rpc.test.thing.get',
    request: z.object({}),
    reply: z.object({}),
    errors: ['not_found'],
  });
  expect(contract.errors).toEqual(['not_found', 'internal']);
});
