import { UnauthenticatedError } from '@plue/db';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AccessTokensDao } from '@plue/auth';
import {
  AuthenticateAccessTokenRpc,
  CreateAccessTokenRpc,
  ListAccessTokensRpc,
  RevokeAccessTokenRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { RpcRequestPipe } from '@plue/service-kit';
import { accessTokenReply } from './replies';

/** Personal access tokens. Neither a token nor its hash is ever logged or put in an error. */
@Controller()
export class AccessTokensController {
  constructor(private readonly tokens: AccessTokensDao) {}

  /** The only reply that carries a token's plaintext: the database keeps its SHA-256 alone. */
  @MessagePattern(CreateAccessTokenRpc.pattern)
  async create(
    @Payload(new RpcRequestPipe(CreateAccessTokenRpc)) request: RpcParsedRequestOf<typeof CreateAccessTokenRpc>,
  ): Promise<RpcReplyOf<typeof CreateAccessTokenRpc>> {
    const { userId, expiresAt, ...data } = request;
    const created = await this.tokens.create(userId, { ...data, expiresAt: new Date(expiresAt) });
    return { accessToken: accessTokenReply(created.accessToken), plaintext: created.plaintext };
  }

  @MessagePattern(AuthenticateAccessTokenRpc.pattern)
  async authenticate(
    @Payload(new RpcRequestPipe(AuthenticateAccessTokenRpc))
    request: RpcParsedRequestOf<typeof AuthenticateAccessTokenRpc>,
  ): Promise<RpcReplyOf<typeof AuthenticateAccessTokenRpc>> {
    const token = await this.tokens.authenticate(request.token);
    if (!token) throw new UnauthenticatedError('the access token is invalid, expired or revoked');
    return {
      userId: token.user.id,
      username: token.user.username,
      tokenId: token.id,
      scopes: token.scopes,
      expiresAt: token.expiresAt.toISOString(),
    };
  }

  @MessagePattern(ListAccessTokensRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListAccessTokensRpc)) request: RpcParsedRequestOf<typeof ListAccessTokensRpc>,
  ): Promise<RpcReplyOf<typeof ListAccessTokensRpc>> {
    return { items: (await this.tokens.list(request.userId)).map(accessTokenReply) };
  }

  @MessagePattern(RevokeAccessTokenRpc.pattern)
  async revoke(
    @Payload(new RpcRequestPipe(RevokeAccessTokenRpc)) request: RpcParsedRequestOf<typeof RevokeAccessTokenRpc>,
  ): Promise<RpcReplyOf<typeof RevokeAccessTokenRpc>> {
    await this.tokens.revoke(request.userId, request.tokenId);
    return { revoked: true, tokenId: request.tokenId };
  }
}
