// Which service owns (alone writes) which table: DESIGN.md §3. The grants in db/ must follow it.
export const TABLE_OWNERS: Record<string, readonly string[]> = {
  plue_auth: ['users', 'email_addresses', 'auth_sessions', 'access_tokens', 'siwe_nonces', 'ssh_keys', 'rate_limits'],
  plue_git: [
    'repositories',
    'collaborators',
    'branches',
    'protected_branches',
    'renamed_branches',
    'commit_statuses',
    'stars',
    'watches',
  ],
  plue_collaboration: [
    'issues',
    'pull_requests',
    'comments',
    'labels',
    'issue_labels',
    'issue_assignees',
    'milestones',
    'reactions',
    'reviews',
    'review_comments',
    'issue_events',
    'mentions',
    'issue_dependencies',
    'pinned_issues',
  ],
  plue_agent: [
    'sessions',
    'messages',
    'parts',
    'workflow_definitions',
    'workflow_runs',
    'workflow_steps',
    'workflow_logs',
    'runner_pool',
    'llm_usage',
  ],
};

/** Each service's messaging schema (outbox, inbox, dead letters, event order). */
export const MESSAGING_SCHEMAS: Record<string, string> = {
  plue_auth: 'auth',
  plue_git: 'git',
  plue_collaboration: 'collaboration',
  plue_agent: 'agent',
};

/** The tables of every messaging schema: the outbox, inbox and dead letters, and event order (0003). */
export const MESSAGING_TABLES = [
  'outbox',
  'inbox',
  'dead_letters',
  'aggregate_versions',
  'consumer_positions',
  'consumer_failures',
] as const;

/** Auth tables that hold secrets or personal data: only plue_auth reads them. */
export const AUTH_PRIVATE_TABLES = ['auth_sessions', 'access_tokens', 'siwe_nonces', 'rate_limits', 'email_addresses'];

/** Hash columns hidden even from the read-only role. */
export const SECRET_COLUMNS: Record<string, string> = {
  auth_sessions: 'session_key',
  access_tokens: 'token_hash',
  siwe_nonces: 'nonce',
};

export const SERVICE_ROLES = Object.keys(TABLE_OWNERS);
