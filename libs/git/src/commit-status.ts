import type { CommitStatusState } from './entities/commit-status.entity';

export const COMMIT_STATUS_STATES: readonly CommitStatusState[] = ['pending', 'success', 'failure', 'error'];

/** Severity order for the combined state: the worst state present wins. */
const SEVERITY: Record<CommitStatusState, number> = { success: 0, pending: 1, failure: 2, error: 3 };

/**
 * The combined state of a commit from the states of its contexts: error > failure > pending >
 * success. A commit without any status is `pending` (as on GitHub: nothing has reported yet).
 */
export function combineStates(states: Iterable<CommitStatusState>): CommitStatusState {
  let combined: CommitStatusState | null = null;
  for (const state of states) {
    if (combined === null || SEVERITY[state] > SEVERITY[combined]) combined = state;
  }
  return combined ?? 'pending';
}
