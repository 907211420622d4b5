import { parseInput } from '@plue/db';
import { matchesGlob } from '@plue/globs';
import { z } from 'zod';

// A trigger matches an event when the event type AND every filter of the trigger match. The origin
// matched on the event type alone, so a push to any branch started every push workflow.
//
// Branch globs have the forge's one semantics (@plue/globs, shared with branch protection): `*`
// stays within one path segment, `**` crosses them, a leading `!` is literal (exclusions go in
// `branches_ignore`). Omitted filters match everything.
//
// Issue and comment triggers may also filter on `mentions`: user ids, at least one of whom the
// text must @-mention (how an agent bot is summoned: `@plue-bot please review`). Ids rather than
// usernames because the events carry ids (`mentionedUserIds`, resolved by collaboration) and a
// username can change hands; whoever reads the workflow file resolves names when it upserts.

export const ISSUE_ACTIONS = [
  'opened',
  'edited',
  'closed',
  'reopened',
  'deleted',
  'labeled',
  'unlabeled',
  'assigned',
  'unassigned',
  'pinned',
  'unpinned',
  'milestoned',
  'demilestoned',
] as const;
export const ISSUE_COMMENT_ACTIONS = ['created', 'edited', 'deleted'] as const;
export const PULL_REQUEST_ACTIONS = [
  'opened',
  'edited',
  'closed',
  'reopened',
  'synchronize',
  'labeled',
  'unlabeled',
  'assigned',
  'unassigned',
  'review_requested',
  'ready_for_review',
  'merged',
] as const;

const branchGlob = z.string().min(1).max(1024);
const branchFilters = {
  branches: z.array(branchGlob).min(1).max(100).optional(),
  branches_ignore: z.array(branchGlob).min(1).max(100).optional(),
};

const pushTrigger = z.strictObject({ event: z.literal('push'), ...branchFilters });
const pullRequestTrigger = z.strictObject({
  event: z.literal('pull_request'),
  /** Globs on the pull request's base branch. */
  ...branchFilters,
  types: z.array(z.enum(PULL_REQUEST_ACTIONS)).min(1).optional(),
});
const userId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** Fires only when the text mentions at least one of these users. */
const mentionsFilter = z.array(userId).min(1).max(100).optional();
const issueTrigger = z.strictObject({
  event: z.literal('issue'),
  types: z.array(z.enum(ISSUE_ACTIONS)).min(1).optional(),
  mentions: mentionsFilter,
});
const issueCommentTrigger = z.strictObject({
  event: z.literal('issue_comment'),
  types: z.array(z.enum(ISSUE_COMMENT_ACTIONS)).min(1).optional(),
  mentions: mentionsFilter,
});
const manualTrigger = z.strictObject({ event: z.literal('manual') });

export const workflowTriggersSchema = z
  .array(
    z.discriminatedUnion('event', [pushTrigger, pullRequestTrigger, issueTrigger, issueCommentTrigger, manualTrigger]),
  )
  .max(50);

export type WorkflowTrigger = z.output<typeof workflowTriggersSchema>[number];
export type WorkflowTriggerEvent = WorkflowTrigger['event'];

/**
 * Something that happened and may start workflows. Branch names may carry a `refs/heads/` prefix;
 * `mentionedUserIds` are the users the issue's or comment's text mentions (none when omitted).
 */
export type WorkflowEvent =
  | { type: 'push'; branch: string }
  | { type: 'pull_request'; action: (typeof PULL_REQUEST_ACTIONS)[number]; baseBranch: string }
  | { type: 'issue'; action: (typeof ISSUE_ACTIONS)[number]; mentionedUserIds?: number[] }
  | { type: 'issue_comment'; action: (typeof ISSUE_COMMENT_ACTIONS)[number]; mentionedUserIds?: number[] }
  | { type: 'manual' };

const mentionedUserIds = z.array(userId).max(1000).optional();

const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('push'), branch: z.string().min(1).max(1024) }),
  z.strictObject({
    type: z.literal('pull_request'),
    action: z.enum(PULL_REQUEST_ACTIONS),
    baseBranch: z.string().min(1).max(1024),
  }),
  z.strictObject({ type: z.literal('issue'), action: z.enum(ISSUE_ACTIONS), mentionedUserIds }),
  z.strictObject({ type: z.literal('issue_comment'), action: z.enum(ISSUE_COMMENT_ACTIONS), mentionedUserIds }),
  z.strictObject({ type: z.literal('manual') }),
]);

/** Validates a definition's triggers (ValidationError naming the field otherwise). */
export function parseWorkflowTriggers(input: unknown): WorkflowTrigger[] {
  return parseInput(workflowTriggersSchema, input);
}

export function parseWorkflowEvent(input: unknown): WorkflowEvent {
  return parseInput(eventSchema, input);
}

/** True when any of the triggers matches the event. */
export function triggersMatch(triggers: readonly WorkflowTrigger[], event: WorkflowEvent): boolean {
  return triggers.some((trigger) => triggerMatches(trigger, event));
}

export function triggerMatches(trigger: WorkflowTrigger, event: WorkflowEvent): boolean {
  if (trigger.event !== event.type) return false;
  switch (trigger.event) {
    case 'push':
      return event.type === 'push' && branchMatches(trigger, event.branch);
    case 'pull_request':
      return (
        event.type === 'pull_request' &&
        actionMatches(trigger.types, event.action) &&
        branchMatches(trigger, event.baseBranch)
      );
    case 'issue':
    case 'issue_comment':
      return (
        (event.type === 'issue' || event.type === 'issue_comment') &&
        actionMatches(trigger.types, event.action) &&
        mentionsMatch(trigger.mentions, event.mentionedUserIds ?? [])
      );
    case 'manual':
      return true;
  }
}

/** Matches a branch name (with or without `refs/heads/`) against one glob. */
export function branchGlobMatches(glob: string, branch: string): boolean {
  return matchesGlob(glob, branchName(branch));
}

function branchMatches(filters: { branches?: string[]; branches_ignore?: string[] }, branch: string): boolean {
  if (filters.branches && !filters.branches.some((glob) => branchGlobMatches(glob, branch))) return false;
  if (filters.branches_ignore?.some((glob) => branchGlobMatches(glob, branch))) return false;
  return true;
}

function actionMatches(types: readonly string[] | undefined, action: string): boolean {
  return types === undefined || types.includes(action);
}

function mentionsMatch(mentions: readonly number[] | undefined, mentionedUserIds: readonly number[]): boolean {
  return mentions === undefined || mentions.some((user) => mentionedUserIds.includes(user));
}

function branchName(ref: string): string {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
}
