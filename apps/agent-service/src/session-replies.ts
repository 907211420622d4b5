import type { LlmUsage, Message, Part, Session } from '@plue/agent';
import type { GetMessageRpc, GetSessionRpc, ListPartsRpc, RecordLlmUsageRpc, RpcReplyOf } from '@plue/contracts';

// Agent sessions, messages, parts and usage rows become the contracts' reply shapes: explicit fields
// and ISO-8601 times, as in replies.ts.

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function sessionReply(session: Session): RpcReplyOf<typeof GetSessionRpc> {
  return {
    id: session.id,
    userId: session.userId,
    repoId: session.repoId,
    parentId: session.parentId,
    workflowRunId: session.workflowRunId,
    directory: session.directory,
    title: session.title,
    model: session.model,
    status: session.status,
    tokenCount: session.tokenCount,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
    archivedAt: iso(session.archivedAt),
  };
}

export function partReply(part: Part): RpcReplyOf<typeof ListPartsRpc>['items'][number] {
  return {
    id: part.id,
    messageId: part.messageId,
    type: part.type,
    sortOrder: part.sortOrder,
    content: part.content,
    toolName: part.toolName,
    toolCallId: part.toolCallId,
    createdAt: part.createdAt.toISOString(),
  };
}

/** A message with its parts (`message.parts`, loaded by the DAO or the caller). */
export function messageReply(message: Message): RpcReplyOf<typeof GetMessageRpc> {
  return {
    id: message.id,
    sessionId: message.sessionId,
    role: message.role,
    status: message.status,
    model: message.model,
    inputTokens: message.inputTokens,
    outputTokens: message.outputTokens,
    reasoningTokens: message.reasoningTokens,
    cacheReadTokens: message.cacheReadTokens,
    cacheWriteTokens: message.cacheWriteTokens,
    costUsd: message.costUsd,
    error: message.error,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
    completedAt: iso(message.completedAt),
    parts: (message.parts ?? []).map(partReply),
  };
}

export function llmUsageReply(usage: LlmUsage): RpcReplyOf<typeof RecordLlmUsageRpc> {
  return {
    id: usage.id,
    userId: usage.userId,
    sessionId: usage.sessionId,
    messageId: usage.messageId,
    model: usage.model,
    provider: usage.provider,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd: usage.costUsd,
    createdAt: usage.createdAt.toISOString(),
  };
}
