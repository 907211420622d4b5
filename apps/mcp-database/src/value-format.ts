import { types, type CustomTypesConfig } from 'pg';

// How `query` turns PostgreSQL's text output into JSON: exact where JSON numbers would not be.
// bigint and numeric stay strings; so do float arrays, timestamps and every type not listed here
// (PostgreSQL's own text form, e.g. '2024-05-01 12:00:00+00', '\x0102' for bytea).

type Parser = (text: string) => unknown;

const raw: Parser = (text) => text;
/** node-postgres's own parser for a type (array types are not in its TypeId list). */
const builtIn = (oid: number) => (types.getTypeParser as (oid: number, format: 'text') => Parser)(oid, 'text');
const stringArray = builtIn(1009); // the text[] parser, generic for any array

const integer: Parser = (text) => Number.parseInt(text, 10);
const float: Parser = (text) => {
  const value = Number(text);
  return Number.isFinite(value) ? value : text; // NaN, Infinity, -Infinity as PostgreSQL spells them
};
const integerArray: Parser = (text) =>
  (stringArray(text) as unknown[]).map(function toNumber(item): unknown {
    return Array.isArray(item) ? item.map(toNumber) : item === null ? null : Number.parseInt(String(item), 10);
  });

const PARSERS = new Map<number, Parser>([
  [16, (text) => text === 't'], // boolean
  [21, integer], // smallint
  [23, integer], // integer
  [26, integer], // oid
  [700, float], // real
  [701, float], // double precision
  [114, parseJsonExactly], // json
  [3802, parseJsonExactly], // jsonb
  [1000, builtIn(1000)], // boolean[]
  [1005, integerArray], // smallint[]
  [1007, integerArray], // integer[]
  [1028, integerArray], // oid[]
  // arrays kept as arrays of PostgreSQL's text for each element (exact for bigint/numeric/float)
  ...[1009, 1015, 1014, 1002, 1003, 2951, 1016, 1231, 1021, 1022, 1115, 1182, 1185, 1041, 651, 199, 3807].map(
    (oid) => [oid, stringArray] as [number, Parser],
  ),
]);

/** Type parsers for one query's results (node-postgres `types`): the process-wide ones stay untouched. */
export const resultTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number) => PARSERS.get(oid) ?? raw) as CustomTypesConfig['getTypeParser'],
};

/**
 * JSON.parse, unless a number in the text has more than 15 significant digits (a double keeps 15
 * exactly): then the JSON text itself, so that no digit is lost.
 */
export function parseJsonExactly(text: string): unknown {
  return hasInexactNumber(text) ? text : JSON.parse(text);
}

function hasInexactNumber(json: string): boolean {
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      continue;
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      const match = /^-?(\d+)(?:\.(\d+))?(?:[eE][-+]?\d+)?/.exec(json.slice(i, i + 400));
      if (!match) continue;
      const digits = `${match[1]}${match[2] ?? ''}`.replace(/^0+/, '').replace(/0+$/, '');
      if (digits.length > 15) return true;
      i += match[0].length - 1;
    }
  }
  return false;
}

/**
 * A cell within `maxChars` characters: a longer string is cut and ends with '…'; a JSON value or
 * array whose text is longer becomes its cut text. Returns whether it was cut.
 */
export function capCell(value: unknown, maxChars: number): { value: unknown; cut: boolean } {
  if (typeof value === 'string') {
    return value.length > maxChars ? { value: `${value.slice(0, maxChars)}…`, cut: true } : { value, cut: false };
  }
  if (value !== null && typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > maxChars ? { value: `${text.slice(0, maxChars)}…`, cut: true } : { value, cut: false };
  }
  return { value, cut: false };
}
