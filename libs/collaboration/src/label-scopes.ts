import type { Label } from './entities/label.entity';

/**
 * Exclusive labels: a label marked `exclusive` whose name is "scope/value" (e.g. "priority/high")
 * excludes every other exclusive label of the same scope on one issue. The scope is the name up to
 * its last "/"; a label without "/" has no scope and excludes nothing.
 */
export function exclusiveScope(label: Pick<Label, 'name' | 'exclusive'>): string | null {
  if (!label.exclusive) return null;
  const slash = label.name.lastIndexOf('/');
  return slash > 0 ? label.name.slice(0, slash).toLowerCase() : null;
}

/** The first two labels of `labels` that share an exclusive scope, if any. */
export function clashingExclusiveLabels<L extends Pick<Label, 'name' | 'exclusive'>>(labels: L[]): [L, L] | null {
  const byScope = new Map<string, L>();
  for (const label of labels) {
    const scope = exclusiveScope(label);
    if (scope === null) continue;
    const other = byScope.get(scope);
    if (other) return [other, label];
    byScope.set(scope, label);
  }
  return null;
}
