/**
 * The shape of the seeded dataset. Everything that changes the data is here, so that the marker
 * stored with a seeded database says exactly what it holds, and a run asking for something else
 * seeds again instead of measuring the wrong data.
 */
export interface DatasetParameters {
  /** Bumped whenever the seeding logic changes what it writes. */
  seedVersion: number;
  issues: number;
  repositories: number;
  users: number;
  labelsPerRepository: number;
  milestonesPerRepository: number;
  /** Users who author, get assigned and get mentioned in one repository most of the time. */
  teamSize: number;
  workflowsPerRepository: number;
  runsPerWorkflow: number;
}

export const SEED_VERSION = 1;

export function datasetParameters(size: { issues: number; repositories: number; users: number }): DatasetParameters {
  return {
    seedVersion: SEED_VERSION,
    issues: size.issues,
    repositories: size.repositories,
    users: size.users,
    labelsPerRepository: 10,
    milestonesPerRepository: 5,
    teamSize: Math.min(20, size.users),
    workflowsPerRepository: 2,
    runsPerWorkflow: 25,
  };
}

/** Repositories are owned by the first quarter of the repository count's users: four each. */
export function ownerCount(parameters: DatasetParameters): number {
  return Math.max(1, Math.min(parameters.users, Math.ceil(parameters.repositories / 4)));
}

/**
 * Words of titles, bodies and comments, most frequent first: a word is drawn with a skew towards
 * the front of the list, so the first words are in most issues and the last ones in few.
 */
export const VOCABULARY = [
  'error build test fails when the page user request update server client login branch merge commit',
  'review issue label crash slow timeout cache config docs typo button layout mobile api endpoint token',
  'session query index migration schema database deploy release version upgrade dependency warning log',
  'metrics alert memory leak cpu disk network proxy dns tls certificate webhook workflow runner agent',
  'prompt model stream retry queue worker scheduler cron backup restore export import csv json yaml',
  'markdown render preview diff blame history search filter sort pagination avatar profile settings',
  'notification email wallet signature ssh key permission collaborator fork star watch milestone',
]
  .join(' ')
  .split(' ');

/** A word added to one issue body in 2,000: searching for it finds a handful of issues, if any, per repository. */
export const RARE_WORD = 'segfault';
export const RARE_WORD_SHARE = 0.0005;

/** The labels of every repository, most used first. */
export const LABEL_NAMES = [
  'bug',
  'enhancement',
  'documentation',
  'question',
  'help-wanted',
  'good-first-issue',
  'performance',
  'security',
  'wontfix',
  'duplicate',
];
