import type { PinIssueRpc, RpcReplyOf } from '@plue/contracts';
import type { Issue, PinnedIssue } from '@plue/collaboration';
import { issueReply } from './replies';

export function pinnedIssueReply(pin: PinnedIssue, issue: Issue): RpcReplyOf<typeof PinIssueRpc> {
  return { pinOrder: pin.pinOrder, pinnedAt: pin.createdAt.toISOString(), issue: issueReply(issue) };
}
