import { ValidationError } from '@plue/db';
import { branchGlobMatches, parseWorkflowTriggers, triggersMatch, type WorkflowEvent } from '../src';

const matches = (triggers: unknown, event: WorkflowEvent) => triggersMatch(parseWorkflowTriggers(triggers), event);

describe('workflow triggers', () => {
  it('match a push only on a branch the globs allow (the origin matched every push)', () => {
    const triggers = [{ event: 'push', branches: ['main', 'release/*'] }];
    expect(matches(triggers, { type: 'push', branch: 'main' })).toBe(true);
    expect(matches(triggers, { type: 'push', branch: 'refs/heads/release/1.0' })).toBe(true);
    expect(matches(triggers, { type: 'push', branch: 'feature/login' })).toBe(false);
    expect(matches(triggers, { type: 'push', branch: 'mainline' })).toBe(false);
  });

  it('let * stay within one path segment and ** cross segments', () => {
    expect(branchGlobMatches('feature/*', 'feature/login')).toBe(true);
    expect(branchGlobMatches('feature/*', 'feature/login/oauth')).toBe(false);
    expect(branchGlobMatches('*', 'feature/login')).toBe(false);
    expect(branchGlobMatches('feature/**', 'feature/login/oauth')).toBe(true);
    expect(branchGlobMatches('**', 'a/b/c')).toBe(true);
    expect(branchGlobMatches('**/hotfix', 'release/2/hotfix')).toBe(true);
  });

  it('treat a leading ! as a literal character, leaving exclusions to branches_ignore', () => {
    expect(branchGlobMatches('!main', 'develop')).toBe(false);
  });

  it('exclude branches_ignore, also together with branches', () => {
    const ignoreOnly = [{ event: 'push', branches_ignore: ['dependabot/**'] }];
    expect(matches(ignoreOnly, { type: 'push', branch: 'main' })).toBe(true);
    expect(matches(ignoreOnly, { type: 'push', branch: 'dependabot/npm/zod' })).toBe(false);
    const both = [{ event: 'push', branches: ['release/**'], branches_ignore: ['release/**/wip'] }];
    expect(matches(both, { type: 'push', branch: 'release/2/final' })).toBe(true);
    expect(matches(both, { type: 'push', branch: 'release/2/wip' })).toBe(false);
  });

  it('match a push to any branch when no branch filter is given', () => {
    expect(matches([{ event: 'push' }], { type: 'push', branch: 'any/thing' })).toBe(true);
  });

  it('require the event type to match as well', () => {
    expect(matches([{ event: 'push' }], { type: 'issue', action: 'opened' })).toBe(false);
    expect(matches([{ event: 'issue' }], { type: 'issue_comment', action: 'created' })).toBe(false);
    expect(matches([{ event: 'manual' }], { type: 'manual' })).toBe(true);
    expect(matches([], { type: 'manual' })).toBe(false);
  });

  it('match issue and comment events on their action types', () => {
    const triggers = [
      { event: 'issue', types: ['opened', 'reopened'] },
      { event: 'issue_comment', types: ['created'] },
    ];
    expect(matches(triggers, { type: 'issue', action: 'opened' })).toBe(true);
    expect(matches(triggers, { type: 'issue', action: 'closed' })).toBe(false);
    expect(matches(triggers, { type: 'issue_comment', action: 'created' })).toBe(true);
    expect(matches(triggers, { type: 'issue_comment', action: 'edited' })).toBe(false);
    expect(matches([{ event: 'issue' }], { type: 'issue', action: 'labeled' })).toBe(true);
  });

  it('match issue and comment triggers with mentions only when the text mentions one of those users', () => {
    const summonBot = [{ event: 'issue_comment', mentions: [7, 8] }];
    expect(matches(summonBot, { type: 'issue_comment', action: 'created', mentionedUserIds: [3, 8] })).toBe(true);
    expect(matches(summonBot, { type: 'issue_comment', action: 'created', mentionedUserIds: [3] })).toBe(false);
    expect(matches(summonBot, { type: 'issue_comment', action: 'created' })).toBe(false);
    const onOpened = [{ event: 'issue', types: ['opened'], mentions: [7] }];
    expect(matches(onOpened, { type: 'issue', action: 'opened', mentionedUserIds: [7] })).toBe(true);
    expect(matches(onOpened, { type: 'issue', action: 'closed', mentionedUserIds: [7] })).toBe(false);
    // Without a mentions filter, mentions do not matter.
    expect(matches([{ event: 'issue' }], { type: 'issue', action: 'opened', mentionedUserIds: [] })).toBe(true);
  });

  it('refuse a mentions filter that is empty, not user ids, or on another event', () => {
    expect(() => parseWorkflowTriggers([{ event: 'issue', mentions: [] }])).toThrow(/0\.mentions/);
    expect(() => parseWorkflowTriggers([{ event: 'issue_comment', mentions: ['plue-bot'] }])).toThrow(/0\.mentions\.0/);
    expect(() => parseWorkflowTriggers([{ event: 'issue', mentions: [0] }])).toThrow(ValidationError);
    expect(() => parseWorkflowTriggers([{ event: 'push', mentions: [7] }])).toThrow(/mentions/);
  });

  it('match pull requests on action AND base branch', () => {
    const triggers = [{ event: 'pull_request', types: ['opened', 'synchronize'], branches: ['main'] }];
    expect(matches(triggers, { type: 'pull_request', action: 'opened', baseBranch: 'main' })).toBe(true);
    expect(matches(triggers, { type: 'pull_request', action: 'opened', baseBranch: 'develop' })).toBe(false);
    expect(matches(triggers, { type: 'pull_request', action: 'closed', baseBranch: 'main' })).toBe(false);
  });

  it('refuse unknown events, unknown actions and unknown filters', () => {
    expect(() => parseWorkflowTriggers([{ event: 'deploy' }])).toThrow(ValidationError);
    expect(() => parseWorkflowTriggers([{ event: 'issue', types: ['exploded'] }])).toThrow(ValidationError);
    expect(() => parseWorkflowTriggers([{ event: 'push', branch: 'main' }])).toThrow(/0: .*branch/);
    expect(() => parseWorkflowTriggers([{ event: 'push', branches: [] }])).toThrow(ValidationError);
  });
});
