import type { MessageStatus } from './entities/message.entity';

// A message streams once: pending → streaming → completed. It can fail or be aborted before or
// while streaming. Finished messages (completed, failed, aborted) never change status again.
const NEXT_MESSAGE_STATUSES: Record<MessageStatus, readonly MessageStatus[]> = {
  pending: ['streaming', 'failed', 'aborted'],
  streaming: ['completed', 'failed', 'aborted'],
  completed: [],
  failed: [],
  aborted: [],
};

export const FINISHED_MESSAGE_STATUSES: readonly MessageStatus[] = ['completed', 'failed', 'aborted'];

/** Statuses a message may be created with: user and tool messages arrive complete. */
export const INITIAL_MESSAGE_STATUSES = ['pending', 'streaming', 'completed'] as const;

export function canChangeMessageStatus(from: MessageStatus, to: MessageStatus): boolean {
  return NEXT_MESSAGE_STATUSES[from].includes(to);
}

/** The statuses from which a message may move to `to`. */
export function messageStatusesBefore(to: MessageStatus): MessageStatus[] {
  return (Object.keys(NEXT_MESSAGE_STATUSES) as MessageStatus[]).filter((from) => canChangeMessageStatus(from, to));
}
