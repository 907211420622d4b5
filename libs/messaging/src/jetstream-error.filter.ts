import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { JetStreamContext } from './jetstream.context';

/**
 * Nest replaces an RPC handler's unknown error with "Internal server error" before a transport
 * sees it. For JetStream event handlers the real error is what the retry log and the dead-letter
 * table need, so this filter passes it through unchanged; other transports' errors get Nest's
 * default treatment. Register it globally: `app.useGlobalFilters(new JetStreamErrorFilter())`.
 */
@Catch()
export class JetStreamErrorFilter extends BaseRpcExceptionFilter implements RpcExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (host.getType() === 'rpc' && host.switchToRpc().getContext() instanceof JetStreamContext) {
      return throwError(() => exception);
    }
    return super.catch(exception, host) as Observable<never>;
  }
}
