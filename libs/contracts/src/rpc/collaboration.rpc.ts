import { z } from 'zod';
import { branchName, commitSha, id, timestamp } from '../event-payload-fields';
import { defineRpc } from './rpc-contract';

// Requests are strict: an unknown key is a caller's mistake worth reporting, not something to drop.
// Issues are addressed the way users name them: repository and per-repository number.

const title = () => z.string().min(1).max(255);
const issueBody = () => z.string().max(65_536);
/** A user named by id or by username (case-insensitive), as the issue list filters take them. */
const userRef = () => z.union([id(), z.string().min(1).max(39)]);

const issueReply = z.object({
  id: id(),
  repoId: id(),
  number: id(),
  authorId: id(),
  title: z.string(),
  body: z.string(),
  state: z.enum(['open', 'closed']),
  isPullRequest: z.boolean(),
  milestoneId: id().nullable(),
  isLocked: z.boolean(),
  commentCount: z.number().int().min(0),
  closedAt: timestamp().nullable(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/**
 * Opens an issue (numbered per repository), with its labels, assignees and the body's @-mentions;
 * emits `plue.collaboration.issue.opened` in the same transaction.
 */
export const CreateIssueRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue.create',
  request: z
    .object({
      repoId: id(),
      authorId: id(),
      title: title(),
      body: issueBody().default(''),
      milestoneId: id().nullable().default(null),
      labelIds: z.array(id()).max(50).default([]),
      assigneeIds: z.array(id()).max(10).default([]),
    })
    .strict(),
  reply: issueReply,
  errors: ['validation_failed', 'conflict', 'missing_reference', 'invalid_value'],
});

/** An issue (or the issue half of a pull request) by repository and number; `not_found` when there is none. */
export const GetIssueRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue.get',
  request: z.object({ repoId: id(), number: id() }).strict(),
  reply: issueReply,
  errors: ['validation_failed', 'not_found'],
});

/**
 * A page of a repository's issues, filtered (all filters combine with AND), sorted and paged by
 * keyset; pass `nextCursor` back as `cursor` with the same sort and direction.
 */
export const ListIssuesRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue.list',
  request: z
    .object({
      repoId: id(),
      state: z.enum(['open', 'closed', 'all']).default('open'),
      type: z.enum(['issue', 'pull_request', 'all']).default('issue'),
      labels: z
        .array(z.union([id(), z.string().min(1).max(50)]))
        .max(10)
        .default([]),
      assignee: userRef().optional(),
      author: userRef().optional(),
      milestone: z.union([id(), z.literal('none')]).optional(),
      mentioned: userRef().optional(),
      search: z.string().trim().min(1).max(256).optional(),
      sort: z.enum(['created', 'updated', 'comments']).default('created'),
      direction: z.enum(['asc', 'desc']).default('desc'),
      limit: z.number().int().min(1).max(100).default(30),
      cursor: z.string().min(1).max(512).optional(),
    })
    .strict(),
  reply: z.object({ items: z.array(issueReply), nextCursor: z.string().nullable() }),
  errors: ['validation_failed'],
});

/**
 * Changes an issue's title, body, state (closing sets `closedAt`, reopening clears it), milestone
 * (one of its repository; null removes it) or lock; each change is recorded on the issue's timeline
 * under `actorId`, and a new body re-syncs its @-mentions.
 */
export const UpdateIssueRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue.update',
  request: z
    .object({
      repoId: id(),
      number: id(),
      actorId: id().nullable().default(null),
      title: title().optional(),
      body: issueBody().optional(),
      state: z.enum(['open', 'closed']).optional(),
      milestoneId: id().nullable().optional(),
      isLocked: z.boolean().optional(),
    })
    .strict(),
  reply: issueReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference', 'invalid_value'],
});

const commentReply = z.object({
  id: id(),
  issueId: id(),
  repoId: id(),
  issueNumber: id(),
  authorId: id(),
  body: z.string(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
  editedAt: timestamp().nullable(),
});

/**
 * Comments on an issue or pull request (with the body's @-mentions); emits
 * `plue.collaboration.comment.created` in the same transaction.
 */
export const CreateCommentRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.comment.create',
  request: z
    .object({
      repoId: id(),
      issueNumber: id(),
      authorId: id(),
      body: z.string().min(1).max(65_536),
    })
    .strict(),
  reply: commentReply,
  errors: ['validation_failed', 'not_found', 'missing_reference', 'invalid_value'],
});

// ---------------------------------------------------------------------------------------------
// Labels of a repository, and the labels applied to an issue
// ---------------------------------------------------------------------------------------------

/** A name unique per repository in any letter case; `scope/value` names of exclusive labels exclude each other. */
const labelName = () => z.string().min(1).max(50);
const labelColor = () => z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb color');
const labelDescription = () => z.string().max(255).nullable();

const labelReply = z.object({
  id: id(),
  repoId: id(),
  name: z.string(),
  color: z.string(),
  description: z.string().nullable(),
  exclusive: z.boolean(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/** Creates a label in a repository. */
export const CreateLabelRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.label.create',
  request: z
    .object({
      repoId: id(),
      name: labelName(),
      color: labelColor(),
      description: labelDescription().default(null),
      exclusive: z.boolean().default(false),
    })
    .strict(),
  reply: labelReply,
  errors: ['validation_failed', 'conflict', 'missing_reference', 'invalid_value'],
});

/** A label of the repository; `not_found` also when the label belongs to another repository. */
export const GetLabelRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.label.get',
  request: z.object({ repoId: id(), labelId: id() }).strict(),
  reply: labelReply,
  errors: ['validation_failed', 'not_found'],
});

/** Every label of a repository, by name (case-insensitively). */
export const ListLabelsRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.label.list',
  request: z.object({ repoId: id() }).strict(),
  reply: z.object({ items: z.array(labelReply) }),
  errors: ['validation_failed'],
});

/** Changes the given fields of a label of the repository. */
export const UpdateLabelRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.label.update',
  request: z
    .object({
      repoId: id(),
      labelId: id(),
      name: labelName().optional(),
      color: labelColor().optional(),
      description: labelDescription().optional(),
      exclusive: z.boolean().optional(),
    })
    .strict(),
  reply: labelReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'invalid_value'],
});

/** Deletes a label of the repository; the issues that had it lose it. */
export const DeleteLabelRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.label.delete',
  request: z.object({ repoId: id(), labelId: id() }).strict(),
  reply: z.object({ deleted: z.literal(true), labelId: id() }),
  errors: ['validation_failed', 'not_found'],
});

const issueLabelChangeReply = z.object({
  /** Label ids newly applied (labels the issue already had are not repeated). */
  added: z.array(id()),
  /** Label ids taken off, including exclusive labels displaced by a label of the same scope. */
  removed: z.array(id()),
  /** The issue's labels after the change, by name. */
  labels: z.array(labelReply),
});

/** A label change on an issue; each label added or removed is recorded on the timeline under `actorId`. */
const issueLabelChangeRequest = (minLabels: number) =>
  z
    .object({
      repoId: id(),
      issueNumber: id(),
      labelIds: z.array(id()).min(minLabels).max(50),
      actorId: id().nullable().default(null),
    })
    .strict();

/**
 * Applies labels of the issue's repository to the issue; an exclusive label replaces the issue's
 * label of its scope.
 */
export const AddIssueLabelsRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_label.add',
  request: issueLabelChangeRequest(1),
  reply: issueLabelChangeReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference'],
});

/** Takes labels off the issue; labels it does not have are ignored. */
export const RemoveIssueLabelsRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_label.remove',
  request: issueLabelChangeRequest(1),
  reply: issueLabelChangeReply,
  errors: ['validation_failed', 'not_found', 'missing_reference'],
});

/** Makes the issue's labels exactly `labelIds` (an empty list removes them all). */
export const SetIssueLabelsRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_label.set',
  request: issueLabelChangeRequest(0),
  reply: issueLabelChangeReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference'],
});

/** The labels of an issue, by name. */
export const ListIssueLabelsRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_label.list',
  request: z.object({ repoId: id(), issueNumber: id() }).strict(),
  reply: z.object({ items: z.array(labelReply) }),
  errors: ['validation_failed', 'not_found'],
});

const LABEL_RPC_CONTRACTS = [
  CreateLabelRpc,
  GetLabelRpc,
  ListLabelsRpc,
  UpdateLabelRpc,
  DeleteLabelRpc,
  AddIssueLabelsRpc,
  RemoveIssueLabelsRpc,
  SetIssueLabelsRpc,
  ListIssueLabelsRpc,
] as const;

// ---------------------------------------------------------------------------------------------
// Milestones of a repository
// ---------------------------------------------------------------------------------------------

/** A title unique per repository in any letter case. */
const milestoneTitle = () => z.string().min(1).max(255);
const milestoneDescription = () => z.string().max(65_536).nullable();
/** A calendar date, `YYYY-MM-DD`. */
const dueDate = () => z.iso.date().nullable();
const milestoneAddress = { repoId: id(), milestoneId: id() };

const milestoneReply = z.object({
  id: id(),
  repoId: id(),
  title: z.string(),
  description: z.string().nullable(),
  state: z.enum(['open', 'closed']),
  dueDate: z.iso.date().nullable(),
  closedAt: timestamp().nullable(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/** Creates an open milestone in a repository. */
export const CreateMilestoneRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.milestone.create',
  request: z
    .object({
      repoId: id(),
      title: milestoneTitle(),
      description: milestoneDescription().default(null),
      dueDate: dueDate().default(null),
    })
    .strict(),
  reply: milestoneReply,
  errors: ['validation_failed', 'conflict', 'missing_reference', 'invalid_value'],
});

/** A milestone of the repository; `not_found` also when it belongs to another repository. */
export const GetMilestoneRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.milestone.get',
  request: z.object(milestoneAddress).strict(),
  reply: milestoneReply,
  errors: ['validation_failed', 'not_found'],
});

/** A repository's milestones in one state: by due date (undated last), then title. */
export const ListMilestonesRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.milestone.list',
  request: z.object({ repoId: id(), state: z.enum(['open', 'closed', 'all']).default('open') }).strict(),
  reply: z.object({ items: z.array(milestoneReply) }),
  errors: ['validation_failed'],
});

/** Changes the given fields of a milestone (null clears the description or the due date). */
export const UpdateMilestoneRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.milestone.update',
  request: z
    .object({
      ...milestoneAddress,
      title: milestoneTitle().optional(),
      description: milestoneDescription().optional(),
      dueDate: dueDate().optional(),
    })
    .strict(),
  reply: milestoneReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'invalid_value'],
});

/** Closes a milestone (`closedAt` = now; closing a closed milestone keeps its `closedAt`). */
export const CloseMilestoneRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.milestone.close',
  request: z.object(milestoneAddress).strict(),
  reply: milestoneReply,
  errors: ['validation_failed', 'not_found'],
});

/** Reopens a milestone (`closedAt` cleared). */
export const ReopenMilestoneRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.milestone.reopen',
  request: z.object(milestoneAddress).strict(),
  reply: milestoneReply,
  errors: ['validation_failed', 'not_found'],
});

/** Deletes a milestone; its issues stay, without a milestone. */
export const DeleteMilestoneRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.milestone.delete',
  request: z.object(milestoneAddress).strict(),
  reply: z.object({ deleted: z.literal(true), milestoneId: id() }),
  errors: ['validation_failed', 'not_found'],
});

/** How many of a milestone's issues and pull requests are open and closed. */
export const MilestoneProgressRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.milestone.progress',
  request: z.object(milestoneAddress).strict(),
  reply: z.object({ milestoneId: id(), open: z.number().int().min(0), closed: z.number().int().min(0) }),
  errors: ['validation_failed', 'not_found'],
});

const MILESTONE_RPC_CONTRACTS = [
  CreateMilestoneRpc,
  GetMilestoneRpc,
  ListMilestonesRpc,
  UpdateMilestoneRpc,
  CloseMilestoneRpc,
  ReopenMilestoneRpc,
  DeleteMilestoneRpc,
  MilestoneProgressRpc,
] as const;

// ---------------------------------------------------------------------------------------------
// Comments: reading, editing and deleting (creation is above, with its event)
// ---------------------------------------------------------------------------------------------

const commentAddress = { repoId: id(), commentId: id() };

/** A comment on an issue or pull request of the repository; `not_found` also for another repository's. */
export const GetCommentRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.comment.get',
  request: z.object(commentAddress).strict(),
  reply: commentReply,
  errors: ['validation_failed', 'not_found'],
});

/** A person's edit: replaces the body, sets `editedAt` and re-syncs the body's @-mentions. */
export const UpdateCommentRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.comment.update',
  request: z.object({ ...commentAddress, body: z.string().min(1).max(65_536) }).strict(),
  reply: commentReply,
  errors: ['validation_failed', 'not_found', 'invalid_value'],
});

/** Deletes a comment with its reactions and mentions; the issue's `commentCount` drops by one. */
export const DeleteCommentRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.comment.delete',
  request: z.object(commentAddress).strict(),
  reply: z.object({ deleted: z.literal(true), commentId: id() }),
  errors: ['validation_failed', 'not_found'],
});

/** A page of an issue's comments, oldest first; pass `nextCursor` back as `cursor`. */
export const ListCommentsRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.comment.list',
  request: z
    .object({
      repoId: id(),
      issueNumber: id(),
      limit: z.number().int().min(1).max(100).default(30),
      cursor: z.string().min(1).max(200).optional(),
    })
    .strict(),
  reply: z.object({ items: z.array(commentReply), nextCursor: z.string().nullable() }),
  errors: ['validation_failed', 'not_found'],
});

const COMMENT_RPC_CONTRACTS = [GetCommentRpc, UpdateCommentRpc, DeleteCommentRpc, ListCommentsRpc] as const;

// ---------------------------------------------------------------------------------------------
// Issue assignees
// ---------------------------------------------------------------------------------------------

const assigneeReply = z.object({ userId: id(), assignedAt: timestamp() });

/** An assignment change on an issue; each user assigned or unassigned is recorded on the timeline under `actorId`. */
const assigneeChangeRequest = z
  .object({
    repoId: id(),
    issueNumber: id(),
    userIds: z.array(id()).min(1).max(10),
    actorId: id().nullable().default(null),
  })
  .strict();

/** Assigns users to an issue (at most 10 in all); users already assigned are kept. */
export const AddIssueAssigneesRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_assignee.add',
  request: assigneeChangeRequest,
  reply: z.object({ added: z.array(id()), assignees: z.array(assigneeReply) }),
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference'],
});

/** Unassigns users from an issue; users not assigned are ignored. */
export const RemoveIssueAssigneesRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_assignee.remove',
  request: assigneeChangeRequest,
  reply: z.object({ removed: z.array(id()), assignees: z.array(assigneeReply) }),
  errors: ['validation_failed', 'not_found', 'missing_reference'],
});

/** The users assigned to an issue, in the order they were assigned. */
export const ListIssueAssigneesRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_assignee.list',
  request: z.object({ repoId: id(), issueNumber: id() }).strict(),
  reply: z.object({ items: z.array(assigneeReply) }),
  errors: ['validation_failed', 'not_found'],
});

const ASSIGNEE_RPC_CONTRACTS = [AddIssueAssigneesRpc, RemoveIssueAssigneesRpc, ListIssueAssigneesRpc] as const;

// ---------------------------------------------------------------------------------------------
// Issue dependencies: "issue #issueNumber depends on (is blocked by) #dependsOnNumber"
// ---------------------------------------------------------------------------------------------

const dependencyRequest = z
  .object({
    repoId: id(),
    issueNumber: id(),
    /** The blocking issue's repository, when it is not `repoId`. */
    dependsOnRepoId: id().optional(),
    dependsOnNumber: id(),
    actorId: id().nullable().default(null),
  })
  .strict()
  .refine(
    (edge) => (edge.dependsOnRepoId ?? edge.repoId) !== edge.repoId || edge.dependsOnNumber !== edge.issueNumber,
    { message: 'an issue cannot depend on itself', path: ['dependsOnNumber'] },
  );

const dependencyReply = z.object({
  id: id(),
  repoId: id(),
  issueNumber: id(),
  dependsOnRepoId: id(),
  dependsOnNumber: id(),
  createdAt: timestamp(),
});

/**
 * Makes an issue depend on another (an existing dependency is returned as is); recorded as
 * `dependency_added` under `actorId`. `conflict` when the edge would close a cycle of any length.
 */
export const AddIssueDependencyRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_dependency.add',
  request: dependencyRequest,
  reply: dependencyReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference'],
});

/** Removes a dependency (recorded as `dependency_removed`); `removed: false` when there was none. */
export const RemoveIssueDependencyRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_dependency.remove',
  request: dependencyRequest,
  reply: z.object({ removed: z.boolean() }),
  errors: ['validation_failed', 'not_found', 'missing_reference'],
});

/** The issues that block an issue (it depends on them), oldest dependency first. */
export const ListIssueBlockersRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_dependency.list_blockers',
  request: z.object({ repoId: id(), issueNumber: id() }).strict(),
  reply: z.object({ items: z.array(issueReply) }),
  errors: ['validation_failed', 'not_found'],
});

/** The issues an issue blocks (they depend on it), oldest dependency first. */
export const ListIssuesBlockedRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_dependency.list_blocked',
  request: z.object({ repoId: id(), issueNumber: id() }).strict(),
  reply: z.object({ items: z.array(issueReply) }),
  errors: ['validation_failed', 'not_found'],
});

const DEPENDENCY_RPC_CONTRACTS = [
  AddIssueDependencyRpc,
  RemoveIssueDependencyRpc,
  ListIssueBlockersRpc,
  ListIssuesBlockedRpc,
] as const;

// ---------------------------------------------------------------------------------------------
// Issue timeline
// ---------------------------------------------------------------------------------------------

const issueEventReply = z.object({
  id: id(),
  issueId: id(),
  /** Null for events caused by the system. */
  actorId: id().nullable(),
  eventType: z.string(),
  payload: z.record(z.string(), z.unknown()),
  createdAt: timestamp(),
});

/** A page of an issue's timeline in the order it happened; pass `nextAfterId` back as `afterId`. */
export const ListIssueEventsRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue_event.list',
  request: z
    .object({
      repoId: id(),
      issueNumber: id(),
      limit: z.number().int().min(1).max(250).default(100),
      afterId: id().optional(),
    })
    .strict(),
  reply: z.object({ items: z.array(issueEventReply), nextAfterId: id().nullable() }),
  errors: ['validation_failed', 'not_found'],
});

// ---------------------------------------------------------------------------------------------
// Reactions on issues and comments
// ---------------------------------------------------------------------------------------------

const REACTION_CONTENTS = ['+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket', 'eyes'] as const;

/** What a reaction is on: an issue of the repository by number, or a comment in it by id. */
const reactionTarget = <Extra extends z.ZodRawShape>(extra: Extra) =>
  z.discriminatedUnion('targetType', [
    z.object({ targetType: z.literal('issue'), repoId: id(), issueNumber: id(), ...extra }).strict(),
    z.object({ targetType: z.literal('comment'), repoId: id(), commentId: id(), ...extra }).strict(),
  ]);
const reactionByUser = { userId: id(), content: z.enum(REACTION_CONTENTS) };

const reactionReply = z.object({
  id: id(),
  userId: id(),
  content: z.enum(REACTION_CONTENTS),
  targetType: z.enum(['issue', 'comment']),
  /** The row id of the target: the issue's `id` (not its number) or the comment's `id`. */
  targetId: id(),
  createdAt: timestamp(),
});

/** Adds a user's reaction; idempotent (`created: false` returns the existing one). */
export const AddReactionRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.reaction.add',
  request: reactionTarget(reactionByUser),
  reply: z.object({ reaction: reactionReply, created: z.boolean() }),
  errors: ['validation_failed', 'not_found', 'missing_reference'],
});

/** Removes a user's reaction; `removed: false` when there was none. */
export const RemoveReactionRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.reaction.remove',
  request: reactionTarget(reactionByUser),
  reply: z.object({ removed: z.boolean() }),
  errors: ['validation_failed', 'not_found'],
});

/** How many reactions of each content a target has (contents without any are left out). */
export const ReactionSummaryRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.reaction.summary',
  request: reactionTarget({}),
  reply: z.object({
    counts: z.partialRecord(z.enum(REACTION_CONTENTS), z.number().int().positive()),
    total: z.number().int().min(0),
  }),
  errors: ['validation_failed', 'not_found'],
});

/** A target's reactions, oldest first. */
export const ListReactionsRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.reaction.list',
  request: reactionTarget({}),
  reply: z.object({ items: z.array(reactionReply) }),
  errors: ['validation_failed', 'not_found'],
});

const REACTION_RPC_CONTRACTS = [AddReactionRpc, RemoveReactionRpc, ReactionSummaryRpc, ListReactionsRpc] as const;

// ---------------------------------------------------------------------------------------------
// Pinned issues: at most 3 per repository, in order
// ---------------------------------------------------------------------------------------------

const pinnedIssueReply = z.object({
  /** 1..n without gaps. */
  pinOrder: z.number().int().min(1).max(3),
  pinnedAt: timestamp(),
  issue: issueReply,
});

/** A repository's pinned issues in order. */
export const ListPinnedIssuesRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pinned_issue.list',
  request: z.object({ repoId: id() }).strict(),
  reply: z.object({ items: z.array(pinnedIssueReply) }),
  errors: ['validation_failed'],
});

/** Pins an issue after the repository's other pins (a pinned issue stays where it is); recorded as `pinned`. */
export const PinIssueRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pinned_issue.pin',
  request: z.object({ repoId: id(), issueNumber: id(), actorId: id().nullable().default(null) }).strict(),
  reply: pinnedIssueReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference'],
});

/** Unpins an issue (recorded as `unpinned`); the pins after it move up. */
export const UnpinIssueRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pinned_issue.unpin',
  request: z.object({ repoId: id(), issueNumber: id(), actorId: id().nullable().default(null) }).strict(),
  reply: z.object({ unpinned: z.boolean(), items: z.array(pinnedIssueReply) }),
  errors: ['validation_failed', 'not_found', 'missing_reference'],
});

/** Puts the pins in the order of `issueNumbers`, which must be exactly the repository's pinned issues. */
export const ReorderPinnedIssuesRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pinned_issue.reorder',
  request: z
    .object({
      repoId: id(),
      issueNumbers: z
        .array(id())
        .min(1)
        .max(3)
        .refine((numbers) => new Set(numbers).size === numbers.length, 'must not repeat an issue'),
    })
    .strict(),
  reply: z.object({ items: z.array(pinnedIssueReply) }),
  errors: ['validation_failed', 'not_found'],
});

const PINNED_ISSUE_RPC_CONTRACTS = [ListPinnedIssuesRpc, PinIssueRpc, UnpinIssueRpc, ReorderPinnedIssuesRpc] as const;

// ---------------------------------------------------------------------------------------------
// Mentions of a user
// ---------------------------------------------------------------------------------------------

const mentionReply = z.object({
  id: id(),
  userId: id(),
  targetType: z.enum(['issue', 'comment']),
  /** The row id of the issue or comment whose text mentions the user. */
  targetId: id(),
  /** Where that text is: the issue (or the comment's issue) by repository and number. */
  repoId: id(),
  issueNumber: id(),
  createdAt: timestamp(),
});

/** The most recent @-mentions of a user (their "mentioned" inbox), newest first. */
export const ListMentionsRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.mention.list',
  request: z.object({ userId: id(), limit: z.number().int().min(1).max(100).default(50) }).strict(),
  reply: z.object({ items: z.array(mentionReply) }),
  errors: ['validation_failed'],
});

/** A pull request: its issue's fields plus the `pull_requests` row's. */
const pullRequestReply = issueReply.extend({
  baseBranch: z.string(),
  headBranch: z.string(),
  headCommitSha: commitSha().nullable(),
  status: z.enum(['checking', 'mergeable', 'conflict', 'empty', 'error', 'merged', 'closed']),
  hasMerged: z.boolean(),
  mergedAt: timestamp().nullable(),
  mergedBy: id().nullable(),
  mergedCommitSha: commitSha().nullable(),
  mergeStyle: z.enum(['merge', 'rebase', 'squash']).nullable(),
});

/**
 * Opens a pull request from `headBranch` into `baseBranch` of the same repository: an issue
 * (numbered like issues) plus its pull_requests row; emits `plue.collaboration.issue.opened`
 * (`isPullRequest` true) in the same transaction.
 */
export const CreatePullRequestRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pull_request.create',
  request: z
    .object({
      repoId: id(),
      authorId: id(),
      title: title(),
      body: issueBody().default(''),
      baseBranch: branchName(),
      headBranch: branchName(),
      headCommitSha: commitSha(),
    })
    .strict(),
  reply: pullRequestReply,
  errors: ['validation_failed', 'missing_reference', 'invalid_value'],
});

/** A pull request by repository and number; `not_found` when there is none (or it is a plain issue). */
export const GetPullRequestRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pull_request.get',
  request: z.object({ repoId: id(), number: id() }).strict(),
  reply: pullRequestReply,
  errors: ['validation_failed', 'not_found'],
});

const reviewReply = z.object({
  id: id(),
  repoId: id(),
  pullRequestNumber: id(),
  reviewerId: id(),
  state: z.enum(['approved', 'changes_requested', 'commented', 'dismissed']),
  body: z.string(),
  /** The head commit the review was made on. */
  commitSha: commitSha().nullable(),
  /** The head moved since (the review counts only while the rule keeps stale approvals). */
  stale: z.boolean(),
  submittedAt: timestamp(),
});

/**
 * Submits a review of the pull request's current head commit. A reviewer's latest verdict
 * (approved / changes_requested) is the one that counts; a comment does not change it. The author
 * may only comment on their own pull request.
 */
export const SubmitReviewRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.review.submit',
  request: z
    .object({
      repoId: id(),
      number: id(),
      reviewerId: id(),
      state: z.enum(['approved', 'changes_requested', 'commented']),
      body: issueBody().default(''),
    })
    .strict(),
  reply: reviewReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference', 'invalid_value'],
});

/**
 * Merges an open pull request once git says the merger may and its base branch's protection rule
 * is met (the reviewers' verdicts read here; write access, which reviews count, and the head
 * commit's status checks judged in git): the pull request is marked merged and its issue closed,
 * and `plue.collaboration.pull_request.merged` is emitted, in one transaction.
 * Refused with `precondition_failed` (`details.unmet`, `details.rule`) while the rule is unmet, and
 * with `unavailable` when git does not answer: nothing is merged without git's yes.
 */
export const MergePullRequestRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pull_request.merge',
  request: z
    .object({
      repoId: id(),
      number: id(),
      mergerId: id(),
      mergeStyle: z.enum(['merge', 'rebase', 'squash']).default('merge'),
    })
    .strict(),
  reply: pullRequestReply,
  errors: [
    'validation_failed',
    'not_found',
    'conflict',
    'precondition_failed',
    'unavailable',
    'missing_reference',
    'invalid_value',
  ],
});

export const COLLABORATION_RPC_CONTRACTS = [
  CreateIssueRpc,
  GetIssueRpc,
  ListIssuesRpc,
  UpdateIssueRpc,
  CreateCommentRpc,
  ...LABEL_RPC_CONTRACTS,
  ...MILESTONE_RPC_CONTRACTS,
  ...COMMENT_RPC_CONTRACTS,
  ...ASSIGNEE_RPC_CONTRACTS,
  ...DEPENDENCY_RPC_CONTRACTS,
  ListIssueEventsRpc,
  ...REACTION_RPC_CONTRACTS,
  ...PINNED_ISSUE_RPC_CONTRACTS,
  ListMentionsRpc,
  CreatePullRequestRpc,
  GetPullRequestRpc,
  SubmitReviewRpc,
  MergePullRequestRpc,
] as const;
