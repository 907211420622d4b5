/**
 * Collects the parameters of one statement as it is written: `param(value, 'int')` returns `$n::int`
 * and the same value of the same type gets the same `$n`, so long generated expressions stay short.
 */
export class SqlParameters {
  readonly values: unknown[] = [];
  private readonly placeholders = new Map<string, string>();

  param(value: unknown, type: string): string {
    const key = `${type}\u0000${JSON.stringify(value)}`;
    let placeholder = this.placeholders.get(key);
    if (!placeholder) {
      this.values.push(value);
      placeholder = `$${this.values.length}::${type}`;
      this.placeholders.set(key, placeholder);
    }
    return placeholder;
  }
}
