import { Column, PrimaryGeneratedColumn, type ColumnOptions, type ValueTransformer } from 'typeorm';

/**
 * How `bigint` reaches JavaScript, everywhere: as a `number`. Every id and counter in Plue stays far
 * below 2^53 (9 007 199 254 740 991); a value beyond that is refused loudly instead of being rounded.
 */
export function bigintToNumber(value: string | number): number {
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(parsed)) {
    throw new RangeError(`bigint value ${value} is outside the safe integer range (±${Number.MAX_SAFE_INTEGER})`);
  }
  return parsed;
}

export const bigintTransformer: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: string | number | null) => (value === null ? null : bigintToNumber(value)),
};

/** `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`, read as a number. */
export function IdColumn(): PropertyDecorator {
  // The identity overload's option type omits `transformer`, but the decorator passes every option
  // through to the column metadata.
  return PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    ...({ transformer: bigintTransformer } as object),
  });
}

/** A `bigint` column (foreign keys, counters), read as a number. */
export function BigIntColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: bigintTransformer });
}

/** A `bigint[]` column (allowlists of user ids), read as numbers. */
export function BigIntArrayColumn(
  options: Omit<ColumnOptions, 'type' | 'array' | 'transformer'> = {},
): PropertyDecorator {
  return Column({
    ...options,
    type: 'bigint',
    array: true,
    transformer: {
      to: (value: unknown) => value,
      from: (value: (string | number)[] | null) => (value === null ? null : value.map(bigintToNumber)),
    },
  });
}
