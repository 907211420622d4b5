import type { CreateLabelRpc, RpcReplyOf } from '@plue/contracts';
import type { Label } from '@plue/collaboration';

export function labelReply(label: Label): RpcReplyOf<typeof CreateLabelRpc> {
  return {
    id: label.id,
    repoId: label.repoId,
    name: label.name,
    color: label.color,
    description: label.description,
    exclusive: label.exclusive,
    createdAt: label.createdAt.toISOString(),
    updatedAt: label.updatedAt.toISOString(),
  };
}
