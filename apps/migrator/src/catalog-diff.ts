import type { Catalog, CatalogObject } from './catalog';

/** What the two compared catalogs are called in messages, e.g. 'schema.sql' and 'migrations'. */
export interface Sides {
  left: string;
  right: string;
}

/**
 * One line per difference, each naming the object:
 * `column public.users.is_active: default differs (schema.sql: true, migrations: false)`,
 * `column public.users.nickname: only in database`.
 */
export function diffCatalogs(left: Catalog, right: Catalog, sides: Sides): string[] {
  const differences: string[] = [];
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  for (const key of keys) {
    const a = left.get(key);
    const b = right.get(key);
    if (a && b) {
      differences.push(...diffObject(a, b, sides));
    } else if (a && !b && !(a.parent && left.has(a.parent) && !right.has(a.parent))) {
      differences.push(`${a.label}: only in ${sides.left}`);
    } else if (b && !a && !(b.parent && right.has(b.parent) && !left.has(b.parent))) {
      differences.push(`${b.label}: only in ${sides.right}`);
    }
  }
  return differences;
}

function diffObject(a: CatalogObject, b: CatalogObject, sides: Sides): string[] {
  const props = [...new Set([...Object.keys(a.props), ...Object.keys(b.props)])];
  return props
    .filter((prop) => (a.props[prop] ?? null) !== (b.props[prop] ?? null))
    .map((prop) => {
      const [left, right] = [a.props[prop] ?? null, b.props[prop] ?? null];
      return `${a.label}: ${prop} differs (${prop === 'acl' ? describeGrants(left, right, sides) : describeValues(left, right, sides)})`;
    });
}

/** Privilege lists differ in a few grants among many: name just those. */
function describeGrants(a: string | null, b: string | null, sides: Sides): string {
  const [left, right] = [new Set(a?.split(', ') ?? []), new Set(b?.split(', ') ?? [])];
  const only = (side: string, items: Set<string>, other: Set<string>) => {
    const missing = [...items].filter((item) => !other.has(item));
    return missing.length ? [`only in ${side}: ${missing.join(', ')}`] : [];
  };
  return [...only(sides.left, left, right), ...only(sides.right, right, left)].join('; ');
}

const shortValue = 80;

/** Both values when short; for long ones (definitions) the first line where they part. */
function describeValues(a: string | null, b: string | null, sides: Sides): string {
  const show = (value: string | null) => (value === null ? 'none' : value === '' ? "''" : value);
  if (
    a === null ||
    b === null ||
    (a.length <= shortValue && b.length <= shortValue && !a.includes('\n') && !b.includes('\n'))
  ) {
    return `${sides.left}: ${show(a)}, ${sides.right}: ${show(b)}`;
  }
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  const excerpt = (value: string) => {
    const from = Math.max(0, start - 20);
    const text = value.slice(from, from + shortValue).replace(/\s+/g, ' ');
    return `${from > 0 ? '…' : ''}${text}${from + shortValue < value.length ? '…' : ''}`;
  };
  return `${sides.left}: ${excerpt(a)}, ${sides.right}: ${excerpt(b)}`;
}
