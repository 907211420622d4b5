import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuthSessionsDao, UsersDao } from '@plue/auth';
import {
  AuthenticateAuthSessionRpc,
  CreateAuthSessionRpc,
  ListAuthSessionsRpc,
  RefreshAuthSessionRpc,
  RevokeAllAuthSessionsRpc,
  RevokeAuthSessionByCookieRpc,
  RevokeAuthSessionRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { inTransaction, UnauthenticatedError } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { authSessionReply } from './replies';

const REFUSED = 'the session cookie is invalid or expired';

/**
 * Cookie sessions. The cookie value is a secret: it is in the reply of `create` and nowhere else,
 * only its SHA-256 is stored (and never replied), and neither is logged or put in an error.
 */
@Controller()
export class AuthSessionsController {
  constructor(
    private readonly db: DataSource,
    private readonly users: UsersDao,
    private readonly sessions: AuthSessionsDao,
  ) {}

  /**
   * A sign-in: the login is recorded and the session created in one transaction. The user row is
   * locked by that update, so a concurrent deactivation (which deletes sessions) cannot miss the
   * new session. A user who may not sign in gets no session.
   */
  @MessagePattern(CreateAuthSessionRpc.pattern)
  create(
    @Payload(new RpcRequestPipe(CreateAuthSessionRpc)) request: RpcParsedRequestOf<typeof CreateAuthSessionRpc>,
  ): Promise<RpcReplyOf<typeof CreateAuthSessionRpc>> {
    const { userId, ...data } = request;
    return inTransaction(this.db, async (tx) => {
      const user = await this.users.recordLogin(userId, tx);
      if (!user.isActive || user.prohibitLogin) throw new UnauthenticatedError('the user may not sign in');
      const created = await this.sessions.create(userId, data, tx);
      return { session: authSessionReply(created.session), cookieValue: created.cookieValue };
    });
  }

  @MessagePattern(AuthenticateAuthSessionRpc.pattern)
  async authenticate(
    @Payload(new RpcRequestPipe(AuthenticateAuthSessionRpc))
    request: RpcParsedRequestOf<typeof AuthenticateAuthSessionRpc>,
  ): Promise<RpcReplyOf<typeof AuthenticateAuthSessionRpc>> {
    const session = await this.sessions.getByCookie(request.cookieValue);
    if (!session) throw new UnauthenticatedError(REFUSED);
    return {
      sessionId: session.id,
      userId: session.user.id,
      username: session.user.username,
      expiresAt: session.expiresAt.toISOString(),
    };
  }

  @MessagePattern(RefreshAuthSessionRpc.pattern)
  async refresh(
    @Payload(new RpcRequestPipe(RefreshAuthSessionRpc)) request: RpcParsedRequestOf<typeof RefreshAuthSessionRpc>,
  ): Promise<RpcReplyOf<typeof RefreshAuthSessionRpc>> {
    const session = await this.sessions.refresh(request.cookieValue);
    if (!session) throw new UnauthenticatedError(REFUSED);
    return authSessionReply(session);
  }

  @MessagePattern(ListAuthSessionsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListAuthSessionsRpc)) request: RpcParsedRequestOf<typeof ListAuthSessionsRpc>,
  ): Promise<RpcReplyOf<typeof ListAuthSessionsRpc>> {
    return { items: (await this.sessions.listForUser(request.userId)).map(authSessionReply) };
  }

  /** Signing out: no error for a cookie that names no session, so a stale cookie signs out too. */
  @MessagePattern(RevokeAuthSessionByCookieRpc.pattern)
  async revokeByCookie(
    @Payload(new RpcRequestPipe(RevokeAuthSessionByCookieRpc))
    request: RpcParsedRequestOf<typeof RevokeAuthSessionByCookieRpc>,
  ): Promise<RpcReplyOf<typeof RevokeAuthSessionByCookieRpc>> {
    return { revoked: await this.sessions.revokeByCookie(request.cookieValue) };
  }

  @MessagePattern(RevokeAuthSessionRpc.pattern)
  async revoke(
    @Payload(new RpcRequestPipe(RevokeAuthSessionRpc)) request: RpcParsedRequestOf<typeof RevokeAuthSessionRpc>,
  ): Promise<RpcReplyOf<typeof RevokeAuthSessionRpc>> {
    await this.sessions.revoke(request.userId, request.sessionId);
    return { revoked: true, sessionId: request.sessionId };
  }

  @MessagePattern(RevokeAllAuthSessionsRpc.pattern)
  async revokeAll(
    @Payload(new RpcRequestPipe(RevokeAllAuthSessionsRpc))
    request: RpcParsedRequestOf<typeof RevokeAllAuthSessionsRpc>,
  ): Promise<RpcReplyOf<typeof RevokeAllAuthSessionsRpc>> {
    const { userId, ...options } = request;
    return { revokedCount: await this.sessions.revokeAllForUser(userId, options) };
  }
}
