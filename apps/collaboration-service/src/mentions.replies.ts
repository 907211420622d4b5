import type { ListMentionsRpc, RpcReplyOf } from '@plue/contracts';
import type { UserMention } from '@plue/collaboration';

export function mentionReply({
  mention,
  repoId,
  issueNumber,
}: UserMention): RpcReplyOf<typeof ListMentionsRpc>['items'][number] {
  return {
    id: mention.id,
    userId: mention.userId,
    targetType: mention.targetType,
    targetId: mention.targetId,
    repoId,
    issueNumber,
    createdAt: mention.createdAt.toISOString(),
  };
}
