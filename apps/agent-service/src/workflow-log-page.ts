import type { WorkflowLog, WorkflowStep } from '@plue/agent';
import type { ListWorkflowLogsRpc, RpcReplyOf } from '@plue/contracts';

/**
 * Content a page of log lines may carry, as JSON bytes. A NATS message holds 1 MiB by default and a
 * single line may hold 1 MiB: a page cut by line count alone could exceed it, and the caller would
 * get a timeout instead of a reply.
 */
export const LOG_PAGE_CONTENT_BUDGET_BYTES = 512 * 1024;

/**
 * The reply for the lines read after `afterSequence` (up to `limit` + 1 of them, the extra one
 * telling whether more follow): at most `limit` lines within the byte budget, and at least one.
 */
export function workflowLogPage(
  step: WorkflowStep,
  afterSequence: number,
  limit: number,
  lines: WorkflowLog[],
): RpcReplyOf<typeof ListWorkflowLogsRpc> {
  const page: WorkflowLog[] = [];
  let bytes = 0;
  for (const line of lines.slice(0, limit)) {
    bytes += Buffer.byteLength(JSON.stringify(line.content));
    if (page.length > 0 && bytes > LOG_PAGE_CONTENT_BUDGET_BYTES) break;
    page.push(line);
  }
  return {
    items: page.map((line) => ({
      sequence: line.sequence,
      logType: line.logType,
      content: line.content,
      createdAt: line.createdAt.toISOString(),
    })),
    nextAfterSequence: page.length > 0 ? page[page.length - 1].sequence : afterSequence,
    hasMore: lines.length > page.length,
    stepStatus: step.status,
  };
}
