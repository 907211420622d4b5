/**
 * The JetStream streams of Plue: one per producing domain, holding that domain's events.
 * Provisioning code (`provisionStreams` in @plue/messaging) creates or updates them from these values.
 */
export interface StreamDefinition {
  name: string;
  /** Subject filters, e.g. `plue.git.>`. */
  subjects: string[];
  /**
   * How long JetStream remembers a `Nats-Msg-Id`: a relay that published a row and died before
   * marking it republishes it well within this window, and the duplicate is dropped.
   */
  duplicateWindowMs: number;
  /** Events older than this are removed: the window in which a replay can re-deliver them. */
  maxAgeMs: number;
  /**
   * Size cap. When it is reached the stream refuses new events (discard "new") rather than drop
   * old ones a slow consumer has not seen yet: the relay retries and the outbox holds the events.
   */
  maxBytes: number;
  maxMessageBytes: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const GIB = 1024 ** 3;

function domainStream(domain: string): StreamDefinition {
  return {
    name: `PLUE_${domain.toUpperCase()}`,
    subjects: [`plue.${domain}.>`],
    duplicateWindowMs: 10 * MINUTE,
    maxAgeMs: 30 * DAY,
    maxBytes: 4 * GIB,
    maxMessageBytes: 1024 * 1024,
  };
}

export const STREAMS: readonly StreamDefinition[] = ['auth', 'git', 'collaboration', 'agent'].map(domainStream);

/** The stream whose subject filters match `subject`; an error when none does. */
export function streamFor(subject: string, streams: readonly StreamDefinition[] = STREAMS): StreamDefinition {
  const stream = streams.find((candidate) => candidate.subjects.some((filter) => subjectMatches(filter, subject)));
  if (!stream) throw new Error(`no stream holds subject "${subject}"`);
  return stream;
}

/** NATS subject matching: `*` matches one token, a final `>` one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const filterTokens = filter.split('.');
  const subjectTokens = subject.split('.');
  for (let index = 0; index < filterTokens.length; index += 1) {
    const token = filterTokens[index];
    if (token === '>') return subjectTokens.length > index;
    if (index >= subjectTokens.length) return false;
    if (token !== '*' && token !== subjectTokens[index]) return false;
  }
  return filterTokens.length === subjectTokens.length;
}
