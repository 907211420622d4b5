/**
 * @-mentions in Markdown text.
 *
 * A mention is `@username` where username follows the rules of `users.username` (users_username_check):
 * 1–39 characters, ASCII letters and digits, single hyphens between them (never leading, trailing or
 * doubled). Not mentions: e-mail addresses and other `@` glued to a preceding word (`a@b.com`,
 * `x/@y`), anything inside code (fenced ``` or ~~~ blocks, indented code blocks, inline `code`), and a
 * name that runs into characters a username cannot hold (`@alice_bob`, `@alice--bob`). Trailing
 * punctuation ends a mention (`@alice,` `@alice.` `(@alice)` `@alice-`).
 */

/** At most this many distinct users are mentioned by one text (as on GitHub); later ones are ignored. */
export const MAX_MENTIONS_PER_TEXT = 50;

const USERNAME_MAX_LENGTH = 39;

// The lookbehind refuses an `@` that continues a word, a path, an e-mail or another mention; the
// lookahead refuses a name that goes on with characters (or a hyphen run) a username cannot end with.
const MENTION = /(?<![\p{L}\p{N}_.+\-/@`])@([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)(?![\p{L}\p{N}_]|-+[\p{L}\p{N}_])/gu;

/** Lowercased, distinct usernames mentioned in `text`, in order of first appearance. */
export function parseMentions(text: string): string[] {
  const usernames = new Set<string>();
  for (const match of withoutCode(text).matchAll(MENTION)) {
    const username = match[1];
    if (username.length > USERNAME_MAX_LENGTH) continue;
    usernames.add(username.toLowerCase());
    if (usernames.size === MAX_MENTIONS_PER_TEXT) break;
  }
  return [...usernames];
}

/** `text` with every code block and code span blanked out (newlines kept, so line structure holds). */
export function withoutCode(text: string): string {
  return blankInlineCode(blankCodeBlocks(text));
}

function blankCodeBlocks(text: string): string {
  const lines = text.split('\n');
  let fence: string | null = null;
  let previousBlank = true;
  let inIndentedBlock = false;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    if (fence !== null) {
      if (new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(line)) fence = null;
      lines[index] = '';
      continue;
    }
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (opening && !(opening[1][0] === '`' && line.slice(opening[0].length).includes('`'))) {
      fence = opening[1];
      lines[index] = '';
      previousBlank = false;
      inIndentedBlock = false;
      continue;
    }
    const blank = line.trim() === '';
    // An indented code block starts after a blank line (it cannot interrupt a paragraph).
    if (/^( {4}|\t)/.test(line) && !blank && (previousBlank || inIndentedBlock)) {
      lines[index] = '';
      inIndentedBlock = true;
    } else if (!blank) {
      inIndentedBlock = false;
    }
    previousBlank = blank;
  }
  return lines.join('\n');
}

/** Code spans: a run of N backticks up to the next run of exactly N backticks. */
function blankInlineCode(text: string): string {
  return text.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (span) => span.replace(/[^\n]/g, ' '));
}
