import type { WorkflowRunsDao } from '@plue/agent';
import type { IssueListFilters, IssuePage, IssuesDao } from '@plue/collaboration';
import type { RepositoriesDao, UserWithRepositories } from '@plue/git';
import { RARE_WORD, VOCABULARY } from './dataset-parameters';
import type { DataSamples, RepositorySample } from './data-samples';

/** The service role whose DataSource (and raw pool) a path runs on: as in production. */
export type ServiceRole = 'plue_collaboration' | 'plue_git' | 'plue_agent';

/** A read path of the data layer, measured through its DAO method. */
export interface ReadPath {
  name: string;
  role: ServiceRole;
  /** issues.list paths: their plans must not read `issues` sequentially. */
  isIssueList: boolean;
  /** How many distinct inputs `call` rotates through. */
  inputCount: number;
  /** The DAO call for input `input` (0 ≤ input < inputCount). */
  call(input: number): Promise<unknown>;
  /** Rows the call returned (a sanity check that the path selects something). */
  countRows(result: unknown): number;
}

export interface DataDaos {
  issues: IssuesDao;
  repositories: RepositoriesDao;
  workflowRuns: WorkflowRunsDao;
}

/** The word in most issues: searching it walks the repository's issues until a page is full. */
const COMMON_WORD = VOCABULARY[0];

/**
 * The seed note's main read paths: issues.list with each filter kind, each sort and a second page;
 * the issue with its labels; the user with their repositories; a repository's recent workflow runs.
 */
export async function dataReadPaths(daos: DataDaos, samples: DataSamples): Promise<ReadPath[]> {
  const repositories = samples.repositories;
  const listPath = (
    name: string,
    filters: (sample: RepositorySample, input: number) => IssueListFilters,
  ): ReadPath => ({
    name: `issues.list ${name}`,
    role: 'plue_collaboration',
    isIssueList: true,
    inputCount: repositories.length,
    call: (input) => daos.issues.list(repositories[input].repoId, filters(repositories[input], input)),
    countRows: (result) => (result as IssuePage).items.length,
  });

  // The cursor of each sample's first page, handed out by the DAO itself.
  const secondPageCursors: string[] = [];
  for (const sample of repositories) {
    const firstPage = await daos.issues.list(sample.repoId, {});
    if (!firstPage.nextCursor) throw new Error(`repository ${sample.repoId} has a single page of open issues`);
    secondPageCursors.push(firstPage.nextCursor);
  }

  return [
    listPath('state=open', () => ({})),
    listPath('state=closed', () => ({ state: 'closed' })),
    listPath('state=all', () => ({ state: 'all' })),
    listPath('label=<id>', (sample) => ({ labels: [sample.labelId] })),
    listPath(`labels=${repositories[0].labelNames.join(',')}`, (sample) => ({ labels: sample.labelNames })),
    listPath('assignee', (sample) => ({ assignee: sample.assigneeId })),
    listPath('author', (sample) => ({ author: sample.authorId })),
    listPath('milestone', (sample) => ({ milestone: sample.milestoneId })),
    listPath('mentioned', (sample) => ({ mentioned: sample.mentionedId })),
    listPath(`search=${RARE_WORD} (rare)`, () => ({ search: RARE_WORD })),
    listPath(`search=${COMMON_WORD} (common)`, () => ({ search: COMMON_WORD })),
    listPath('sort=created asc', () => ({ sort: 'created', direction: 'asc' })),
    listPath('sort=updated desc', () => ({ sort: 'updated', direction: 'desc' })),
    listPath('sort=updated asc', () => ({ sort: 'updated', direction: 'asc' })),
    listPath('sort=comments desc', () => ({ sort: 'comments', direction: 'desc' })),
    listPath('sort=comments asc', () => ({ sort: 'comments', direction: 'asc' })),
    listPath('page 2 (cursor)', (_sample, input) => ({ cursor: secondPageCursors[input] })),
    {
      name: 'issues.getWithLabels',
      role: 'plue_collaboration',
      isIssueList: false,
      inputCount: samples.issueIds.length,
      call: (input) => daos.issues.getWithLabels(samples.issueIds[input]),
      countRows: (result) => (result ? 1 : 0),
    },
    {
      name: 'repositories.getUserWithRepositories',
      role: 'plue_git',
      isIssueList: false,
      inputCount: samples.ownerUsernames.length,
      call: (input) => daos.repositories.getUserWithRepositories(samples.ownerUsernames[input]),
      countRows: (result) => (result as UserWithRepositories | null)?.repositories.length ?? 0,
    },
    {
      name: 'workflowRuns.recentRuns',
      role: 'plue_agent',
      isIssueList: false,
      inputCount: repositories.length,
      call: (input) => daos.workflowRuns.recentRuns(repositories[input].repoId),
      countRows: (result) => (result as unknown[]).length,
    },
  ];
}
