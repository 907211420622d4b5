import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import type { LogLevel } from './service-config';
import { currentTrace } from './trace-context';

/**
 * The service's root logger: one JSON object per line on stdout, with the service name and, inside
 * a request or event, its `traceId`/`spanId` (read from the trace context at each call, so code
 * never passes them around).
 */
export function createServiceLogger(service: string, level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const trace = currentTrace();
        return trace ? { traceId: trace.traceId, spanId: trace.spanId } : {};
      },
    },
    destination,
  );
}

/**
 * Nest's logger interface over pino, for Nest itself and the messaging lib. Nest passes the context
 * (the class that logs) as the last string argument and, for errors, a stack before it.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const strings = params.filter((param): param is string => typeof param === 'string');
    const fields: Record<string, unknown> = {};
    if (strings.length > 0) fields.context = strings[strings.length - 1];
    if (level === 'error' && strings.length > 1) fields.stack = strings[0];
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...message });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
