import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { RpcError } from '@plue/contracts';
import { DomainError, ValidationError } from '@plue/db';
import { JetStreamContext, JetStreamErrorFilter } from '@plue/messaging';
import type { Logger } from 'pino';
import { throwError, type Observable } from 'rxjs';

/**
 * What a caller learns about a failure. Domain errors keep their code, message and details (they
 * describe the caller's input); anything else is `internal` with a fixed message, because its text
 * and stack describe the service, not the request.
 */
export function toRpcError(error: unknown): RpcError {
  if (error instanceof ValidationError) {
    return { code: error.code, message: error.message, details: { ...error.details, issues: error.issues } };
  }
  if (error instanceof DomainError) {
    return { code: error.code, message: error.message, details: { ...error.details } };
  }
  return { code: 'internal', message: 'internal error', details: {} };
}

/**
 * The one global exception filter of a service. Request/reply failures become structured RPC
 * errors (internal ones are logged here with their stack, under the request's trace id); event
 * handler failures pass through unchanged to the JetStream transport, which retries and
 * dead-letters them with the real message.
 */
@Catch()
export class RpcErrorFilter implements ExceptionFilter {
  private readonly events = new JetStreamErrorFilter();

  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (host.getType() === 'rpc' && host.switchToRpc().getContext() instanceof JetStreamContext) {
      return this.events.catch(exception, host);
    }
    const rpcError = toRpcError(exception);
    if (rpcError.code === 'internal') {
      this.logger.error({ err: exception }, 'request failed with an internal error');
    } else {
      this.logger.info({ code: rpcError.code, details: rpcError.details }, `request refused: ${rpcError.message}`);
    }
    return throwError(() => rpcError);
  }
}
