import { Logger, type LoggerService } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENT_REGISTRY, STREAMS, streamFor, type ContractRegistry, type StreamDefinition } from '@plue/contracts';
import type { Tx } from '@plue/db';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import { ConsumerRunner } from './consumer-runner';
import type { EventMetadata } from './event-envelope';
import { EventProcessor, type EventHandlerFn, type ProcessorHooks } from './event-processor';
import { replaySubject, type ReplayOptions, type ReplayResult } from './event-replay';
import { JetStreamContext } from './jetstream.context';
import type { ConsumerMetrics } from './messaging-health';
import { messagingTables, type MessagingTables } from './messaging-tables';
import {
  DEFAULT_TUNING,
  durableConsumerConfig,
  durableConsumerName,
  ensureDurableConsumer,
  ensureStream,
  type ConsumerTuning,
} from './stream-provisioning';

export type ConsumerHooks = ProcessorHooks;

export interface JetStreamServerOptions {
  /** The consuming service (`collaboration`…): prefix of its durable consumer names. */
  service: string;
  /** The service's messaging schema, holding its inbox, positions, failures and dead letters. */
  schema: string;
  /** The service's initialized DataSource: handlers' transactions run on it. */
  dataSource: DataSource;
  /** A NATS connection the caller owns… */
  connection?: NatsConnection;
  /** …or the servers to connect to (the transport then closes its connection on close). */
  servers?: string | string[];
  /** Events the service may handle (default: every Plue event). */
  contracts?: ContractRegistry;
  /** Stream definitions (default: `STREAMS`); the streams are created if missing. */
  streams?: readonly StreamDefinition[];
  tuning?: Partial<ConsumerTuning>;
  hooks?: ConsumerHooks;
  logger?: LoggerService;
}

interface Subscription {
  subject: string;
  stream: string;
  durable: string;
  processor: EventProcessor;
  runner: ConsumerRunner;
}

/**
 * A Nest custom transport for domain events on JetStream. Each `@EventPattern<string>(subject)`
 * handler gets a durable pull consumer `<service>--<subject>` shared by all instances of the
 * service, so an event is handled once per service however many instances run. Handlers receive
 * the payload (checked against its contract) and a JetStreamContext whose `tx` is the inbox
 * transaction; see EventProcessor for the per-message rules.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  // Handler errors must reach the transport (to retry and dead-letter), not just the log.
  override readonly propagatesEventHandlerErrors = true;
  private readonly tables: MessagingTables;
  private readonly contracts: ContractRegistry;
  private readonly streams: readonly StreamDefinition[];
  private readonly tuning: ConsumerTuning;
  private readonly log: LoggerService;
  private connection: NatsConnection | null = null;
  private ownsConnection = false;
  private jsm: JetStreamManager | null = null;
  private js: JetStreamClient | null = null;
  private subscriptions: Subscription[] = [];

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    if (!options.connection === !options.servers) {
      throw new Error('JetStreamServer needs either a NATS connection or servers to connect to');
    }
    this.tables = messagingTables(options.schema);
    this.contracts = options.contracts ?? EVENT_REGISTRY;
    this.streams = options.streams ?? STREAMS;
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.log = options.logger ?? new Logger(`JetStreamServer(${options.service})`);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.runner.stop()));
    this.subscriptions = [];
    if (this.ownsConnection) await this.connection?.close();
    this.connection = null;
  }

  /** Status events are not emitted: `metrics()` reports the consumers' state. */
  on(): never {
    throw new Error('JetStreamServer does not emit events; read metrics() instead');
  }

  unwrap<T>(): T {
    if (!this.connection) throw new Error('JetStreamServer is not listening');
    return this.connection as T;
  }

  /** Per durable consumer: this instance's counters and the server's backlog. */
  async metrics(): Promise<ConsumerMetrics[]> {
    return Promise.all(
      this.subscriptions.map(async ({ subject, stream, durable, processor, runner }) => {
        let numPending: number | null = null;
        let numAckPending: number | null = null;
        try {
          const info = await this.jsm!.consumers.info(stream, durable);
          numPending = info.num_pending;
          numAckPending = info.num_ack_pending;
        } catch {
          // NATS unreachable: the counters are still worth reporting.
        }
        return {
          consumer: durable,
          subject,
          ...processor.counters,
          numPending,
          numAckPending,
          running: runner.isRunning,
        };
      }),
    );
  }

  /**
   * Re-delivers this service's events from a time or stream sequence through the same handlers;
   * events the inbox already holds are skipped, so a replay is safe to repeat.
   */
  async replay(options: ReplayOptions): Promise<ReplayResult> {
    if (!this.jsm || !this.js) throw new Error('JetStreamServer is not listening');
    const targets = this.subscriptions.filter(
      (subscription) => !options.subjects || options.subjects.includes(subscription.subject),
    );
    const unknown = (options.subjects ?? []).filter((subject) => !targets.some((t) => t.subject === subject));
    if (unknown.length > 0) throw new Error(`this service handles no ${unknown.join(', ')}`);
    if ('sequence' in options.from && new Set(targets.map((target) => target.stream)).size > 1) {
      throw new Error('a replay from a stream sequence must name subjects of one stream');
    }
    const subjects = [];
    for (const target of targets) {
      const processor = this.createProcessor(target.durable, target.subject);
      subjects.push(await replaySubject(this.jsm, this.js, { ...target, processor }, options, this.tuning, this.log));
    }
    return { subjects };
  }

  private async start(): Promise<void> {
    const subjects = this.handledSubjects();
    this.connection =
      this.options.connection ??
      (await connect({
        servers: this.options.servers,
        name: `plue-${this.options.service}`,
        maxReconnectAttempts: -1,
      }));
    this.ownsConnection = !this.options.connection;
    this.jsm = await jetstreamManager(this.connection);
    this.js = jetstream(this.connection);

    for (const subject of subjects) {
      const definition = streamFor(subject, this.streams);
      const stream = definition.name;
      const durable = durableConsumerName(this.options.service, subject);
      const config = durableConsumerConfig(this.options.service, subject, this.tuning);
      const jsm = this.jsm;
      const provision = async () => {
        await ensureStream(jsm, definition);
        await ensureDurableConsumer(jsm, stream, config);
      };
      await provision();
      const processor = this.createProcessor(durable, subject);
      const runner = new ConsumerRunner(
        this.js,
        stream,
        durable,
        processor,
        this.tuning.concurrency,
        this.tuning.ackWaitMs,
        this.log,
        provision,
      );
      this.subscriptions.push({ subject, stream, durable, processor, runner });
    }
    for (const subscription of this.subscriptions) subscription.runner.start();
    this.log.log(`consuming ${subjects.join(', ') || 'nothing'}`);
  }

  /** Every registered handler must be an event handler for a subject with a contract. */
  private handledSubjects(): string[] {
    const problems: string[] = [];
    const subjects: string[] = [];
    for (const [pattern, handler] of this.getHandlers()) {
      if (!handler.isEventHandler) problems.push(`${pattern}: @MessagePattern is not served by JetStream (use NATS)`);
      else if (!this.contracts.has(pattern)) problems.push(`${pattern}: no event contract`);
      else subjects.push(pattern);
    }
    if (problems.length > 0) throw new Error(`JetStreamServer(${this.options.service}): ${problems.join('; ')}`);
    return subjects;
  }

  private createProcessor(durable: string, subject: string): EventProcessor {
    const handler = this.getHandlerByPattern(subject) as MessageHandler;
    const run: EventHandlerFn = async (payload: unknown, event: EventMetadata, tx: Tx, message: JsMsg) => {
      const result = await handler(payload, new JetStreamContext([event, tx, message]));
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    };
    return new EventProcessor(
      durable,
      run,
      this.options.dataSource,
      this.tables,
      this.contracts,
      this.tuning,
      this.log,
      this.options.hooks,
    );
  }
}
