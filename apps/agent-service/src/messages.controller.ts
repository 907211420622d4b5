import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MessagesDao, PartsDao } from '@plue/agent';
import {
  AppendMessageRpc,
  GetMessageRpc,
  ListMessagesRpc,
  UpdateMessageStatusRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { inTransaction, NotFoundError } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { messageReply } from './session-replies';

/** Messages of agent sessions, always replied with their parts. */
@Controller()
export class MessagesController {
  constructor(
    private readonly db: DataSource,
    private readonly messages: MessagesDao,
    private readonly parts: PartsDao,
  ) {}

  /** The message and its parts commit together, and the session is marked active with them. */
  @MessagePattern(AppendMessageRpc.pattern)
  async append(
    @Payload(new RpcRequestPipe(AppendMessageRpc)) request: RpcParsedRequestOf<typeof AppendMessageRpc>,
  ): Promise<RpcReplyOf<typeof AppendMessageRpc>> {
    return messageReply(await this.messages.append(request));
  }

  @MessagePattern(GetMessageRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetMessageRpc)) request: RpcParsedRequestOf<typeof GetMessageRpc>,
  ): Promise<RpcReplyOf<typeof GetMessageRpc>> {
    const message = await this.messages.getById(request.messageId);
    if (!message) throw new NotFoundError(`message ${request.messageId} not found`, { field: 'messageId' });
    return messageReply(message);
  }

  @MessagePattern(ListMessagesRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListMessagesRpc)) request: RpcParsedRequestOf<typeof ListMessagesRpc>,
  ): Promise<RpcReplyOf<typeof ListMessagesRpc>> {
    const { sessionId, ...page } = request;
    const messages = await this.messages.listForSession(sessionId, page);
    return { items: messages.items.map(messageReply), nextCursor: messages.nextCursor };
  }

  /** The new status and the message's parts are read in one transaction, so the reply is one state. */
  @MessagePattern(UpdateMessageStatusRpc.pattern)
  updateStatus(
    @Payload(new RpcRequestPipe(UpdateMessageStatusRpc)) request: RpcParsedRequestOf<typeof UpdateMessageStatusRpc>,
  ): Promise<RpcReplyOf<typeof UpdateMessageStatusRpc>> {
    const { messageId, status, error } = request;
    return inTransaction(this.db, async (tx) => {
      const message = await this.messages.updateStatus(messageId, status, error === undefined ? {} : { error }, tx);
      message.parts = await this.parts.listForMessages([message.id], tx);
      return messageReply(message);
    });
  }
}
