/** Every column of issues except search_vector (large, and only useful inside SQL), qualified by `alias`. */
export function issueColumns(alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  return [
    'id',
    'repo_id',
    'issue_number',
    'author_id',
    'title',
    'body',
    'state',
    'is_pull',
    'milestone_id',
    'is_locked',
    'comment_count',
    'closed_at',
    'created_at',
    'updated_at',
  ]
    .map((column) => prefix + column)
    .join(', ');
}
