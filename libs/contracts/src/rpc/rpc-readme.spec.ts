import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AGENT_RPC_CONTRACTS } from './agent.rpc';
import { AUTH_RPC_CONTRACTS } from './auth.rpc';
import { COLLABORATION_RPC_CONTRACTS } from './collaboration.rpc';
import { GIT_RPC_CONTRACTS } from './git.rpc';

// The README's tables are the services' public interface (a client in any language drives the
// platform from them), so a pattern without its row is a pattern nobody outside can find.

const CONTRACTS = [...AUTH_RPC_CONTRACTS, ...GIT_RPC_CONTRACTS, ...COLLABORATION_RPC_CONTRACTS, ...AGENT_RPC_CONTRACTS];

it('documents every request/reply pattern in a row of the README', () => {
  const readme = readFileSync(path.join(__dirname, 'README.md'), 'utf8');
  const rows = new Set([...readme.matchAll(/^\| `(plue\.rpc\.[a-z0-9_.]+)` \|/gm)].map((match) => match[1]));
  expect(CONTRACTS.map((contract) => contract.pattern).filter((pattern) => !rows.has(pattern))).toEqual([]);
  expect([...rows].filter((pattern) => !CONTRACTS.some((contract) => contract.pattern === pattern))).toEqual([]);
});

it('gives every pattern to one contract only', () => {
  const patterns = CONTRACTS.map((contract) => contract.pattern);
  expect(patterns.filter((pattern, index) => patterns.indexOf(pattern) !== index)).toEqual([]);
});
