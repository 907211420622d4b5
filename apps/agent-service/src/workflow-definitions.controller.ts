import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { WorkflowDefinitionsDao } from '@plue/agent';
import {
  DeactivateWorkflowDefinitionRpc,
  GetWorkflowDefinitionRpc,
  ListWorkflowDefinitionsRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { NotFoundError } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { workflowDefinitionReply } from './replies';

/** Reading and deactivating workflow definitions (upsert lives with the workflows controller). */
@Controller()
export class WorkflowDefinitionsController {
  constructor(private readonly definitions: WorkflowDefinitionsDao) {}

  @MessagePattern(GetWorkflowDefinitionRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetWorkflowDefinitionRpc)) request: RpcParsedRequestOf<typeof GetWorkflowDefinitionRpc>,
  ): Promise<RpcReplyOf<typeof GetWorkflowDefinitionRpc>> {
    const definition = await this.definitions.getById(request.definitionId);
    if (!definition) {
      throw new NotFoundError(`workflow definition ${request.definitionId} not found`, { field: 'definitionId' });
    }
    return workflowDefinitionReply(definition);
  }

  @MessagePattern(ListWorkflowDefinitionsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListWorkflowDefinitionsRpc))
    request: RpcParsedRequestOf<typeof ListWorkflowDefinitionsRpc>,
  ): Promise<RpcReplyOf<typeof ListWorkflowDefinitionsRpc>> {
    const definitions = await this.definitions.listForRepo(request.repoId, {
      includeInactive: request.includeInactive,
    });
    return { items: definitions.map(workflowDefinitionReply) };
  }

  @MessagePattern(DeactivateWorkflowDefinitionRpc.pattern)
  async deactivate(
    @Payload(new RpcRequestPipe(DeactivateWorkflowDefinitionRpc))
    request: RpcParsedRequestOf<typeof DeactivateWorkflowDefinitionRpc>,
  ): Promise<RpcReplyOf<typeof DeactivateWorkflowDefinitionRpc>> {
    return workflowDefinitionReply(await this.definitions.deactivate(request.definitionId));
  }
}
