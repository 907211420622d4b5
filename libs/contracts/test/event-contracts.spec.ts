import { z } from 'zod';
import {
  ContractRegistry,
  contractFor,
  defineEvent,
  EVENT_CONTRACTS,
  EVENT_REGISTRY,
  EVENT_SUBJECT_PATTERN,
  InvalidContractError,
  InvalidEventPayloadError,
  STREAMS,
  streamFor,
  subjectMatches,
  UnknownEventError,
} from '../src';

describe('event contracts', () => {
  it('declares the events of the cross-domain flows, each on a plue.<domain>.<entity>.<past-verb> subject', () => {
    expect(EVENT_REGISTRY.subjects.sort()).toEqual(
      [
        'plue.agent.workflow_run.completed',
        'plue.auth.user.deleted',
        'plue.collaboration.comment.created',
        'plue.collaboration.issue.opened',
        'plue.collaboration.user_content.reassigned',
        'plue.collaboration.pull_request.merged',
        'plue.git.branch.pushed',
        'plue.git.repository.created',
        'plue.git.user_content.reassigned',
      ].sort(),
    );
    for (const contract of EVENT_CONTRACTS) expect(contract.subject).toMatch(EVENT_SUBJECT_PATTERN);
  });

  it("puts every event in exactly one stream, its producing domain's", () => {
    for (const { subject } of EVENT_CONTRACTS) {
      const holders = STREAMS.filter((stream) => stream.subjects.some((filter) => subjectMatches(filter, subject)));
      expect({ subject, streams: holders.map((stream) => stream.name) }).toEqual({
        subject,
        streams: [`PLUE_${subject.split('.')[1].toUpperCase()}`],
      });
    }
    expect(STREAMS.map((stream) => stream.name)).toEqual(['PLUE_AUTH', 'PLUE_GIT', 'PLUE_COLLABORATION', 'PLUE_AGENT']);
    expect(streamFor('plue.git.branch.pushed').duplicateWindowMs).toBe(10 * 60_000);
    expect(() => streamFor('other.thing.happened')).toThrow('no stream holds subject "other.thing.happened"');
  });

  it('matches NATS wildcards the way the server does', () => {
    expect(subjectMatches('plue.git.>', 'plue.git.branch.pushed')).toBe(true);
    expect(subjectMatches('plue.git.>', 'plue.git')).toBe(false);
    expect(subjectMatches('plue.*.branch.pushed', 'plue.git.branch.pushed')).toBe(true);
    expect(subjectMatches('plue.*.branch', 'plue.git.branch.pushed')).toBe(false);
    expect(subjectMatches('plue.git.branch.pushed', 'plue.git.branch.pushed')).toBe(true);
  });

  it('finds a contract by subject and refuses an unknown one', () => {
    expect(contractFor('plue.git.branch.pushed')).toMatchObject({ version: 1, aggregateType: 'repository' });
    expect(() => contractFor('plue.git.branch.exploded')).toThrow(UnknownEventError);
    expect(() => contractFor('plue.git.branch.exploded')).toThrow(
      'no event contract for subject "plue.git.branch.exploded"',
    );
  });

  it('checks payloads, naming each bad field, and drops unknown keys', () => {
    const valid = { userId: 7, username: 'ada', ghostUserId: 1, extra: 'ignored' };
    expect(EVENT_REGISTRY.parse('plue.auth.user.deleted', valid)).toEqual({
      userId: 7,
      username: 'ada',
      ghostUserId: 1,
    });
    let error: unknown;
    try {
      EVENT_REGISTRY.parse('plue.git.branch.pushed', { repoId: 1.5, branch: 'main', headCommitSha: 'XYZ' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidEventPayloadError);
    const issues = (error as InvalidEventPayloadError).issues.map((issue) => issue.path.join('.'));
    expect(issues).toEqual(expect.arrayContaining(['repoId', 'ref', 'beforeCommitSha', 'headCommitSha', 'pusherId']));
    expect((error as Error).message).toMatch(/^invalid plue\.git\.branch\.pushed payload: repoId /);
  });

  it('refuses malformed declarations', () => {
    const payload = z.object({ id: z.number() });
    expect(() => defineEvent({ subject: 'plue.git.Pushed', version: 1, aggregateType: 'repository', payload })).toThrow(
      InvalidContractError,
    );
    expect(() => defineEvent({ subject: 'git.branch.pushed', version: 1, aggregateType: 'x', payload })).toThrow(
      InvalidContractError,
    );
    expect(() => defineEvent({ subject: 'plue.git.a.done', version: 0, aggregateType: 'x', payload })).toThrow(
      'version must be a positive integer',
    );
    const twice = defineEvent({ subject: 'plue.test.thing.done', version: 1, aggregateType: 'thing', payload });
    expect(() => new ContractRegistry([twice, twice])).toThrow('event plue.test.thing.done is declared twice');
  });
});
