import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { EVENT_HEADERS } from '@plue/contracts';
import { JetStreamContext } from '@plue/messaging';
import type { Logger } from 'pino';
import { Observable, tap } from 'rxjs';
import { continueTrace, runInTrace } from './trace-context';

/** The subject and `traceparent` a request or event arrived with, from whichever transport delivered it. */
function incoming(context: ExecutionContext): { subject?: string; traceparent?: string } {
  const rpcContext: unknown = context.switchToRpc().getContext();
  if (rpcContext instanceof JetStreamContext) {
    return { subject: rpcContext.event.subject, traceparent: rpcContext.event.traceparent };
  }
  if (rpcContext instanceof NatsContext) {
    const headers = rpcContext.getHeaders() as { get(name: string): string } | undefined;
    return { subject: rpcContext.getSubject(), traceparent: headers?.get(EVENT_HEADERS.traceparent) || undefined };
  }
  return {};
}

/**
 * Runs every handler inside the trace its message carried, so its logs, the events it emits and
 * the requests it makes share the caller's trace id, and logs each handled message at debug level.
 * Handlers run when the returned observable is subscribed, hence the subscription (not the call to
 * `handle`) goes inside the trace.
 */
export class TraceInterceptor implements NestInterceptor {
  constructor(private readonly logger: Logger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const { subject, traceparent } = incoming(context);
    const trace = continueTrace(traceparent);
    const started = performance.now();
    const done = (outcome: 'handled' | 'failed') =>
      runInTrace(trace, () =>
        this.logger.debug({ subject, durationMs: Math.round(performance.now() - started) }, `message ${outcome}`),
      );
    return new Observable((subscriber) =>
      runInTrace(trace, () =>
        next
          .handle()
          .pipe(tap({ complete: () => done('handled'), error: () => done('failed') }))
          .subscribe(subscriber),
      ),
    );
  }
}
