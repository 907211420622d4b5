/**
 * Username rules, GitHub-like and identical to the `users_username_check` constraint: 1 to 39
 * characters, ASCII letters and digits, hyphens only between two of them (no leading, trailing or
 * doubled hyphen). Uniqueness ignores case (`users_lower_username_key` on lower(username)).
 *
 * The collaboration lib's mention parser copies USERNAME_PATTERN_SOURCE (domain libs do not import
 * each other), so a change here must be made there too.
 */
export const USERNAME_MAX_LENGTH = 39;

/** The rule without anchors, to embed in larger patterns such as `@mention` scanners. */
export const USERNAME_PATTERN_SOURCE = '[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}';

export const USERNAME_PATTERN = new RegExp(`^${USERNAME_PATTERN_SOURCE}$`);

export function isValidUsername(username: string): boolean {
  return USERNAME_PATTERN.test(username);
}

/** The account that takes over a deleted user's content (DESIGN §4, flow 6). */
export const GHOST_USERNAME = 'ghost';

/**
 * Names nobody may register, compared case-insensitively: they collide with routes of the web UI
 * and API (`/settings`, `/login`, `/api`), impersonate staff or the system (`admin`, `support`,
 * `plue`), or are taken by the platform itself (`ghost`, created only by UsersDao.ensureGhostUser).
 */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  GHOST_USERNAME,
  // staff and the system
  'admin',
  'administrator',
  'root',
  'system',
  'support',
  'help',
  'security',
  'staff',
  'moderator',
  'plue',
  'bot',
  'noreply',
  'no-reply',
  'nobody',
  'anonymous',
  'null',
  'undefined',
  // routes of the web UI and the API
  'api',
  'login',
  'logout',
  'signin',
  'signout',
  'signup',
  'register',
  'join',
  'session',
  'sessions',
  'auth',
  'oauth',
  'settings',
  'account',
  'new',
  'explore',
  'search',
  'dashboard',
  'notifications',
  'issues',
  'pulls',
  'repos',
  'repositories',
  'users',
  'user',
  'orgs',
  'organizations',
  'teams',
  'topics',
  'trending',
  'stars',
  'watching',
  'workflows',
  'runners',
  'agents',
  'agent',
  'mcp',
  'assets',
  'static',
  'public',
  'raw',
  'docs',
  'about',
  'status',
  'health',
  'metrics',
  'me',
]);

export function isReservedUsername(username: string): boolean {
  return RESERVED_USERNAMES.has(username.toLowerCase());
}
