import { z } from 'zod';

/** Field types shared by event payloads: ids are bigint columns that reach JavaScript as numbers. */
export const id = () => z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A git commit sha: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits. */
export const commitSha = () => z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'must be a lowercase hex commit sha');

/** A branch name as git refs allow it (no full validation: git-service checked it before the push). */
export const branchName = () => z.string().min(1).max(255);

/** An ISO-8601 timestamp with offset, as `Date.prototype.toISOString()` writes it. */
export const timestamp = () => z.iso.datetime({ offset: true });
