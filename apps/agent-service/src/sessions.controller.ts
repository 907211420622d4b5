import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SessionsDao } from '@plue/agent';
import {
  ArchiveSessionRpc,
  CreateSessionRpc,
  GetSessionRpc,
  ListSessionsRpc,
  SetSessionStatusRpc,
  UnarchiveSessionRpc,
  UpdateSessionTitleRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { RpcRequestPipe } from '@plue/service-kit';
import { messageReply, sessionReply } from './session-replies';

/** Agent sessions, each answered for its owner only (the DAO filters every read and write by user). */
@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsDao) {}

  /** The session and its first message commit together (the DAO's transaction). */
  @MessagePattern(CreateSessionRpc.pattern)
  async create(
    @Payload(new RpcRequestPipe(CreateSessionRpc)) request: RpcParsedRequestOf<typeof CreateSessionRpc>,
  ): Promise<RpcReplyOf<typeof CreateSessionRpc>> {
    const session = await this.sessions.create(request);
    const [firstMessage] = session.messages ?? [];
    return { session: sessionReply(session), firstMessage: firstMessage ? messageReply(firstMessage) : null };
  }

  @MessagePattern(GetSessionRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetSessionRpc)) request: RpcParsedRequestOf<typeof GetSessionRpc>,
  ): Promise<RpcReplyOf<typeof GetSessionRpc>> {
    return sessionReply(await this.sessions.getForUser(request.sessionId, request.userId));
  }

  @MessagePattern(ListSessionsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListSessionsRpc)) request: RpcParsedRequestOf<typeof ListSessionsRpc>,
  ): Promise<RpcReplyOf<typeof ListSessionsRpc>> {
    const { userId, ...filters } = request;
    const page = await this.sessions.listForUser(userId, filters);
    return { items: page.items.map(sessionReply), nextCursor: page.nextCursor };
  }

  @MessagePattern(UpdateSessionTitleRpc.pattern)
  async updateTitle(
    @Payload(new RpcRequestPipe(UpdateSessionTitleRpc)) request: RpcParsedRequestOf<typeof UpdateSessionTitleRpc>,
  ): Promise<RpcReplyOf<typeof UpdateSessionTitleRpc>> {
    return sessionReply(await this.sessions.updateTitle(request.sessionId, request.userId, request.title));
  }

  @MessagePattern(ArchiveSessionRpc.pattern)
  async archive(
    @Payload(new RpcRequestPipe(ArchiveSessionRpc)) request: RpcParsedRequestOf<typeof ArchiveSessionRpc>,
  ): Promise<RpcReplyOf<typeof ArchiveSessionRpc>> {
    return sessionReply(await this.sessions.archive(request.sessionId, request.userId));
  }

  @MessagePattern(UnarchiveSessionRpc.pattern)
  async unarchive(
    @Payload(new RpcRequestPipe(UnarchiveSessionRpc)) request: RpcParsedRequestOf<typeof UnarchiveSessionRpc>,
  ): Promise<RpcReplyOf<typeof UnarchiveSessionRpc>> {
    return sessionReply(await this.sessions.unarchive(request.sessionId, request.userId));
  }

  @MessagePattern(SetSessionStatusRpc.pattern)
  async setStatus(
    @Payload(new RpcRequestPipe(SetSessionStatusRpc)) request: RpcParsedRequestOf<typeof SetSessionStatusRpc>,
  ): Promise<RpcReplyOf<typeof SetSessionStatusRpc>> {
    return sessionReply(await this.sessions.setStatus(request.sessionId, request.userId, request.status));
  }
}
