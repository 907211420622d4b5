import type { ListReactionsRpc, RpcReplyOf } from '@plue/contracts';
import type { Reaction } from '@plue/collaboration';

export function reactionReply(reaction: Reaction): RpcReplyOf<typeof ListReactionsRpc>['items'][number] {
  return {
    id: reaction.id,
    userId: reaction.userId,
    content: reaction.content,
    targetType: reaction.targetType,
    targetId: reaction.targetId,
    createdAt: reaction.createdAt.toISOString(),
  };
}
