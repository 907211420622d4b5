import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, MissingReferenceError, NotFoundError, parseInput, queryRows, type Tx, hydrate } from '@plue/db';
import { ruleNameProblem, selectRule } from './branch-protection';
import { ProtectedBranch } from './entities/protected-branch.entity';
import { boundedText, idSchema } from './git-names';

const ruleNameSchema = z.string().superRefine((ruleName, context) => {
  const problem = ruleNameProblem(ruleName);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

const userIdsSchema = z
  .array(idSchema)
  .max(1000)
  .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a user id');

const ruleFieldsSchema = z.object({
  priority: z.number().int().min(0).max(2_147_483_647),
  canPush: z.boolean(),
  enablePushAllowlist: z.boolean(),
  pushAllowlistUserIds: userIdsSchema,
  canForcePush: z.boolean(),
  enableForcePushAllowlist: z.boolean(),
  forcePushAllowlistUserIds: userIdsSchema,
  enableMergeAllowlist: z.boolean(),
  mergeAllowlistUserIds: userIdsSchema,
  requiredApprovals: z.number().int().min(0).max(2_147_483_647),
  enableStatusCheck: z.boolean(),
  /** Commit status contexts that must be `success` (same length rule as commit_statuses.context). */
  statusCheckContexts: z
    .array(boundedText(1, 255))
    .max(100)
    .refine((contexts) => new Set(contexts).size === contexts.length, 'must not repeat a context'),
  blockOnRejectedReviews: z.boolean(),
  blockOnOutdatedBranch: z.boolean(),
  dismissStaleApprovals: z.boolean(),
});

const createSchema = ruleFieldsSchema.partial().extend({ repoId: idSchema, ruleName: ruleNameSchema }).strict();
export type CreateProtectedBranchInput = z.input<typeof createSchema>;

const updateSchema = ruleFieldsSchema
  .partial()
  .extend({ ruleName: ruleNameSchema.optional() })
  .strict()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), 'nothing to update');
export type UpdateProtectedBranchInput = z.input<typeof updateSchema>;

const ALLOWLIST_FIELDS = ['pushAllowlistUserIds', 'forcePushAllowlistUserIds', 'mergeAllowlistUserIds'] as const;

export class ProtectedBranchesDao {
  constructor(private readonly db: DataSource) {}

  /** The rule, or null when there is none with this id. */
  getById(id: number, tx?: Tx): Promise<ProtectedBranch | null> {
    parseInput(idSchema, id);
    return (tx ?? this.db.manager).findOneBy(ProtectedBranch, { id });
  }

  /** The rules of a repository, highest priority first, then oldest first. */
  list(repoId: number, tx?: Tx): Promise<ProtectedBranch[]> {
    parseInput(idSchema, repoId);
    return (tx ?? this.db.manager).find(ProtectedBranch, { where: { repoId }, order: { priority: 'DESC', id: 'ASC' } });
  }

  /** The rule that protects `branchName` (see `selectRule`), or null when the branch is unprotected. */
  async ruleFor(repoId: number, branchName: string, tx?: Tx): Promise<ProtectedBranch | null> {
    parseInput(z.string().min(1).max(255), branchName);
    return selectRule(await this.list(repoId, tx), branchName);
  }

  /**
   * Creates a rule. Allowlisted user ids must exist (MissingReferenceError naming the field: an
   * array cannot carry a foreign key). A second rule with the same name in the repository is a
   * ConflictError naming `protected_branches_repo_id_rule_name_key`.
   */
  async create(input: CreateProtectedBranchInput, tx?: Tx): Promise<ProtectedBranch> {
    const data = parseInput(createSchema, input);
    return inTransaction(tx ?? this.db, async (manager) => {
      await assertUsersExist(manager, data);
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(ProtectedBranch)
        .values(data)
        .returning('*')
        .execute();
      return hydrate(manager, ProtectedBranch, inserted.raw[0]);
    });
  }

  /** Changes some fields of a rule; NotFoundError if there is no such rule. */
  async update(id: number, patch: UpdateProtectedBranchInput, tx?: Tx): Promise<ProtectedBranch> {
    parseInput(idSchema, id);
    const data = parseInput(updateSchema, patch);
    return inTransaction(tx ?? this.db, async (manager) => {
      await assertUsersExist(manager, data);
      const updated = await manager
        .createQueryBuilder()
        .update(ProtectedBranch)
        .set(data)
        .where('id = :id', { id })
        .returning('*')
        .execute();
      const rule = updated.raw[0] ? hydrate(manager, ProtectedBranch, updated.raw[0]) : undefined;
      if (!rule) throw new NotFoundError(`branch protection rule ${id} does not exist`, { field: 'id' });
      return rule;
    });
  }

  /** Deletes a rule; NotFoundError if there is no such rule. */
  async delete(id: number, tx?: Tx): Promise<void> {
    parseInput(idSchema, id);
    await inTransaction(tx ?? this.db, async (manager) => {
      const result = await manager.delete(ProtectedBranch, { id });
      if (!result.affected) throw new NotFoundError(`branch protection rule ${id} does not exist`, { field: 'id' });
    });
  }

  /**
   * Takes a deleted user off every allowlist (DESIGN §4 flow 6): the arrays cannot carry a foreign
   * key, so nothing else would. The ghost account does not inherit the entries (it never pushes or
   * merges); an enabled allowlist left empty lets nobody through, the safe side. Returns how many
   * rules changed.
   */
  async removeUserFromAllowlists(userId: number, tx?: Tx): Promise<number> {
    parseInput(idSchema, userId);
    const changed = await queryRows(
      tx ?? this.db.manager,
      `UPDATE protected_branches
          SET push_allowlist_user_ids = array_remove(push_allowlist_user_ids, $1::bigint),
              force_push_allowlist_user_ids = array_remove(force_push_allowlist_user_ids, $1::bigint),
              merge_allowlist_user_ids = array_remove(merge_allowlist_user_ids, $1::bigint)
        WHERE $1::bigint = ANY (push_allowlist_user_ids || force_push_allowlist_user_ids || merge_allowlist_user_ids)
       RETURNING id`,
      [userId],
    );
    return changed.length;
  }
}

async function assertUsersExist(
  manager: Tx,
  lists: Partial<Record<(typeof ALLOWLIST_FIELDS)[number], number[]>>,
): Promise<void> {
  const wanted = [...new Set(ALLOWLIST_FIELDS.flatMap((field) => lists[field] ?? []))];
  if (wanted.length === 0) return;
  const rows: { id: string }[] = await manager.query('SELECT id FROM users WHERE id = ANY($1::bigint[])', [wanted]);
  const found = new Set(rows.map((row) => Number(row.id)));
  for (const field of ALLOWLIST_FIELDS) {
    const missing = (lists[field] ?? []).filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new MissingReferenceError(`${field}: no user with id ${missing.join(', ')}`, { field });
    }
  }
}
