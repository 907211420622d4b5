import { combineStates, COMMIT_STATUS_STATES, type CommitStatusState } from '@plue/git';

/** Every multiset of states with up to `size` elements (order does not matter to the rule). */
function multisets(size: number): CommitStatusState[][] {
  if (size === 0) return [[]];
  const smaller = multisets(size - 1);
  return [
    ...smaller,
    ...smaller
      .filter((set) => set.length === size - 1)
      .flatMap((set) => COMMIT_STATUS_STATES.map((state) => [...set, state])),
  ];
}

function expected(states: CommitStatusState[]): CommitStatusState {
  if (states.includes('error')) return 'error';
  if (states.includes('failure')) return 'failure';
  if (states.includes('pending') || states.length === 0) return 'pending';
  return 'success';
}

describe('combineStates', () => {
  it('is pending when nothing has reported', () => {
    expect(combineStates([])).toBe('pending');
  });

  it.each([
    [['success'], 'success'],
    [['success', 'success'], 'success'],
    [['success', 'pending'], 'pending'],
    [['pending', 'failure'], 'failure'],
    [['failure', 'error'], 'error'],
    [['error', 'success'], 'error'],
  ] as [CommitStatusState[], CommitStatusState][])('%j → %s', (states, combined) => {
    expect(combineStates(states)).toBe(combined);
  });

  it('orders error > failure > pending > success for every combination of up to four statuses, in any order', () => {
    const sets = multisets(4);
    expect(sets.length).toBe(1 + 4 + 16 + 64 + 256);
    for (const states of sets) {
      expect(combineStates(states)).toBe(expected(states));
      expect(combineStates([...states].reverse())).toBe(expected(states));
    }
  });
});
