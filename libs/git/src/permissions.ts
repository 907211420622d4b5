import type { CollaboratorPermission } from './entities/collaborator.entity';

export const PERMISSION_LEVELS: readonly CollaboratorPermission[] = ['read', 'write', 'admin'];

export interface RepositoryAccessFacts {
  ownerId: number;
  isPublic: boolean;
  /** The user's collaborator row on the repository, if any. */
  collaboratorPermission: CollaboratorPermission | null;
}

/**
 * What `userId` (null: anonymous) may do on a repository: its owner is admin; a collaborator
 * has the permission granted; anyone else may read a public repository and nothing else.
 * Null means no access at all.
 */
export function effectivePermission(
  facts: RepositoryAccessFacts,
  userId: number | null,
): CollaboratorPermission | null {
  if (userId !== null && userId === facts.ownerId) return 'admin';
  if (userId !== null && facts.collaboratorPermission) return facts.collaboratorPermission;
  return facts.isPublic ? 'read' : null;
}

/** True when `granted` includes everything `needed` allows (admin ⊇ write ⊇ read). */
export function permits(granted: CollaboratorPermission | null, needed: CollaboratorPermission): boolean {
  return granted !== null && PERMISSION_LEVELS.indexOf(granted) >= PERMISSION_LEVELS.indexOf(needed);
}
