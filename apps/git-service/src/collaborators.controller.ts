import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AddCollaboratorRpc,
  GetRepositoryPermissionRpc,
  ListCollaboratorsRpc,
  RemoveCollaboratorRpc,
  UpdateCollaboratorRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { CollaboratorsDao } from '@plue/git';
import { RpcRequestPipe } from '@plue/service-kit';
import { collaboratorReply } from './replies';

/** Who may do what on a repository: collaborators, and the permission that results for any user. */
@Controller()
export class CollaboratorsController {
  constructor(private readonly collaborators: CollaboratorsDao) {}

  @MessagePattern(AddCollaboratorRpc.pattern)
  async add(
    @Payload(new RpcRequestPipe(AddCollaboratorRpc)) request: RpcParsedRequestOf<typeof AddCollaboratorRpc>,
  ): Promise<RpcReplyOf<typeof AddCollaboratorRpc>> {
    return collaboratorReply(await this.collaborators.add(request.repoId, request.userId, request.permission));
  }

  @MessagePattern(UpdateCollaboratorRpc.pattern)
  async update(
    @Payload(new RpcRequestPipe(UpdateCollaboratorRpc)) request: RpcParsedRequestOf<typeof UpdateCollaboratorRpc>,
  ): Promise<RpcReplyOf<typeof UpdateCollaboratorRpc>> {
    return collaboratorReply(
      await this.collaborators.updatePermission(request.repoId, request.userId, request.permission),
    );
  }

  @MessagePattern(RemoveCollaboratorRpc.pattern)
  async remove(
    @Payload(new RpcRequestPipe(RemoveCollaboratorRpc)) request: RpcParsedRequestOf<typeof RemoveCollaboratorRpc>,
  ): Promise<RpcReplyOf<typeof RemoveCollaboratorRpc>> {
    return { removed: await this.collaborators.remove(request.repoId, request.userId) };
  }

  @MessagePattern(ListCollaboratorsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListCollaboratorsRpc)) request: RpcParsedRequestOf<typeof ListCollaboratorsRpc>,
  ): Promise<RpcReplyOf<typeof ListCollaboratorsRpc>> {
    const { repoId, ...options } = request;
    const page = await this.collaborators.list(repoId, options);
    return { items: page.items.map(collaboratorReply), nextCursor: page.nextCursor };
  }

  @MessagePattern(GetRepositoryPermissionRpc.pattern)
  async permissionOf(
    @Payload(new RpcRequestPipe(GetRepositoryPermissionRpc))
    request: RpcParsedRequestOf<typeof GetRepositoryPermissionRpc>,
  ): Promise<RpcReplyOf<typeof GetRepositoryPermissionRpc>> {
    const permission = await this.collaborators.permissionOf(request.repoId, request.userId);
    return { repoId: request.repoId, userId: request.userId, permission };
  }
}
