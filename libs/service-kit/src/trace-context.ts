import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/** The W3C trace context of the work in progress: one trace id across services, a span id per hop. */
export interface Trace {
  traceId: string;
  spanId: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const INVALID_TRACE_ID = '0'.repeat(32);

const storage = new AsyncLocalStorage<Trace>();

/**
 * The trace to run incoming work in: the caller's trace id when its `traceparent` header is valid
 * (so logs of one request line up across services), else a new trace; always a new span id.
 */
export function continueTrace(traceparent?: string | null): Trace {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  const traceId = match && match[1] !== INVALID_TRACE_ID ? match[1] : randomBytes(16).toString('hex');
  return { traceId, spanId: randomBytes(8).toString('hex') };
}

export function runInTrace<T>(trace: Trace, work: () => T): T {
  return storage.run(trace, work);
}

export function currentTrace(): Trace | undefined {
  return storage.getStore();
}

/** The `traceparent` header for messages sent on behalf of the current work (events, RPC calls). */
export function currentTraceparent(): string | undefined {
  const trace = storage.getStore();
  return trace ? `00-${trace.traceId}-${trace.spanId}-01` : undefined;
}
