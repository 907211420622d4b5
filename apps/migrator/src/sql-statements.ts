/** One statement of a SQL file, without its terminating semicolon or the comments before it. */
export interface SqlStatement {
  text: string;
  /** 1-based line of the file where the statement starts. */
  line: number;
}

const identifierStart = /[A-Za-z_\u0080-\uffff]/;
const identifierPart = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Splits a SQL file into statements the way psql does, so that any file psql accepts is cut at the
 * same places: a semicolon ends a statement only outside quotes, comments, dollar quotes and
 * parentheses, and outside the BEGIN ... END body of a SQL-standard CREATE FUNCTION/PROCEDURE.
 * Strings follow standard_conforming_strings (backslash escapes only in E'' strings).
 */
export function splitStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = -1;
  let parenDepth = 0;
  const body = new BeginAtomicTracker();

  const finish = (end: number) => {
    if (start >= 0) statements.push({ text: sql.slice(start, end).trimEnd(), line: lineAt(sql, start) });
    start = -1;
    parenDepth = 0;
    body.reset();
  };

  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
      continue;
    }
    if (c === ';') {
      if (parenDepth === 0 && !body.inside) {
        finish(i);
      }
      i++;
      continue;
    }
    if (start < 0) start = i;
    if (c === "'") {
      i = skipQuoted(sql, i, "'", isEscapeString(sql, i));
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"', false);
    } else if (c === '$' && !isIdentifierChar(sql[i - 1])) {
      i = skipDollarQuoteOrParameter(sql, i);
    } else if (c === '(') {
      parenDepth++;
      i++;
    } else if (c === ')') {
      parenDepth = Math.max(0, parenDepth - 1);
      i++;
    } else if (identifierStart.test(c) && !isIdentifierChar(sql[i - 1])) {
      let end = i + 1;
      while (end < sql.length && identifierPart.test(sql[end])) end++;
      body.word(sql.slice(i, end).toLowerCase(), parenDepth);
      i = end;
    } else {
      i++;
    }
  }
  finish(sql.length);
  return statements;
}

/**
 * psql's heuristic for SQL-standard function bodies (`BEGIN ATOMIC ... END`), whose semicolons do not
 * end the CREATE statement: inside a statement that starts with CREATE [OR REPLACE] FUNCTION or
 * PROCEDURE, count BEGIN/CASE against END at parenthesis depth 0.
 */
class BeginAtomicTracker {
  private words: string[] = [];
  private depth = 0;

  get inside(): boolean {
    return this.depth > 0;
  }

  reset(): void {
    this.words = [];
    this.depth = 0;
  }

  word(word: string, parenDepth: number): void {
    if (this.words.length < 4) this.words.push(word);
    if (!this.createsRoutine() || parenDepth > 0) return;
    if (word === 'begin') this.depth++;
    else if (word === 'case' && this.depth > 0) this.depth++;
    else if (word === 'end' && this.depth > 0) this.depth--;
  }

  private createsRoutine(): boolean {
    const [first, second, third, fourth] = this.words;
    const routine = (word: string | undefined) => word === 'function' || word === 'procedure';
    return first === 'create' && (routine(second) || (second === 'or' && third === 'replace' && routine(fourth)));
  }
}

function isIdentifierChar(c: string | undefined): boolean {
  return c !== undefined && identifierPart.test(c);
}

/** E'...' (and e'...') strings take backslash escapes; the E must start a token, not end a word. */
function isEscapeString(sql: string, quote: number): boolean {
  const prefix = sql[quote - 1];
  return (prefix === 'E' || prefix === 'e') && !isIdentifierChar(sql[quote - 2]);
}

function skipQuoted(sql: string, open: number, quote: string, backslashEscapes: boolean): number {
  let i = open + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return sql.length;
}

function skipBlockComment(sql: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

const dollarTag = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/** `$tag$ ... $tag$` is a string; anything else starting with `$` (such as `$1`) is a plain token. */
function skipDollarQuoteOrParameter(sql: string, dollar: number): number {
  dollarTag.lastIndex = dollar;
  const match = dollarTag.exec(sql);
  if (!match) return dollar + 1;
  const close = sql.indexOf(match[0], dollar + match[0].length);
  return close < 0 ? sql.length : close + match[0].length;
}

/** 1-based line of a UTF-16 offset in text. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) line++;
  }
  return line;
}

/**
 * File line of a PostgreSQL error `position` (1-based, counted in characters, i.e. code points)
 * within a statement.
 */
export function lineOfPosition(statement: SqlStatement, position: number): number {
  let offset = 0;
  for (let seen = 1; seen < position && offset < statement.text.length; seen++) {
    offset += statement.text.codePointAt(offset)! > 0xffff ? 2 : 1;
  }
  return statement.line + lineAt(statement.text, offset) - 1;
}
