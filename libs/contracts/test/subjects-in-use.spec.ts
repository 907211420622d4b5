import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EVENT_REGISTRY } from '../src';

const repositoryRoot = path.resolve(__dirname, '../../..');

/**
 * Subjects that source code emits (`events.emit(tx, 'plue…'`) or consumes
 * (`@EventPattern<string>('plue…')`), by their literal subject strings.
 */
function subjectsUsedIn(source: string): string[] {
  const patterns = [
    /@EventPattern(?:<[^>]*>)?\(\s*['"`]([^'"`]+)['"`]/g,
    /\.emit\(\s*[\w.]+\s*,\s*['"`](plue\.[^'"`]+)['"`]/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]));
}

/** Every production TypeScript file of the apps and libs (tests may use made-up subjects on purpose). */
function productionSources(): string[] {
  const files: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory)) {
      if (entry === 'node_modules' || entry === 'dist') continue;
      const file = path.join(directory, entry);
      if (statSync(file).isDirectory()) walk(file);
      else if (file.endsWith('.ts') && !file.endsWith('.spec.ts')) files.push(file);
    }
  };
  for (const group of ['apps', 'libs']) {
    for (const project of readdirSync(path.join(repositoryRoot, group))) {
      const sourceRoot = path.join(repositoryRoot, group, project, 'src');
      if (existsSync(sourceRoot)) walk(sourceRoot);
    }
  }
  return files;
}

describe('subjects in use', () => {
  it('finds emitted and consumed subjects in source code', () => {
    const source = `
      @EventPattern<string>('plue.git.repository.created')
      handle() {}
      @EventPattern("plue.auth.user.deleted") other() {}
      await this.events.emit(tx, 'plue.git.branch.pushed', repo.id, payload);`;
    expect(subjectsUsedIn(source)).toEqual([
      'plue.git.repository.created',
      'plue.auth.user.deleted',
      'plue.git.branch.pushed',
    ]);
  });

  it('has a contract for every subject a service emits or consumes', () => {
    const missing = productionSources().flatMap((file) =>
      subjectsUsedIn(readFileSync(file, 'utf8'))
        .filter((subject) => !EVENT_REGISTRY.has(subject))
        .map((subject) => `${path.relative(repositoryRoot, file)}: ${subject}`),
    );
    expect(missing).toEqual([]);
  });
});
