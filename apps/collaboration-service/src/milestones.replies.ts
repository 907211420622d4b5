import type { CreateMilestoneRpc, RpcReplyOf } from '@plue/contracts';
import type { Milestone } from '@plue/collaboration';

export function milestoneReply(milestone: Milestone): RpcReplyOf<typeof CreateMilestoneRpc> {
  return {
    id: milestone.id,
    repoId: milestone.repoId,
    title: milestone.title,
    description: milestone.description,
    state: milestone.state,
    dueDate: milestone.dueDate,
    closedAt: milestone.closedAt === null ? null : milestone.closedAt.toISOString(),
    createdAt: milestone.createdAt.toISOString(),
    updatedAt: milestone.updatedAt.toISOString(),
  };
}
