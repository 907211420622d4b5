import { ValidationError } from '@plue/db';
import { parseWorkflowPlan, stepConfigOf, topologicalOrder } from '../src';

function validationMessages(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => `${issue.field}: ${issue.message}`);
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const shell = (id: string, dependsOn: string[] = []) => ({
  id,
  name: id,
  type: 'shell',
  run: ['make', id],
  depends_on: dependsOn,
});

describe('workflow plan', () => {
  it('accepts a DAG of shell, llm and agent steps with their configuration', () => {
    const plan = parseWorkflowPlan({
      steps: [
        { id: 'build', name: 'Build', type: 'shell', run: ['npm', 'run', 'build'], env: { CI: 'true' } },
        {
          id: 'review',
          name: 'Review',
          type: 'llm',
          prompt: 'Review the diff',
          model: 'claude',
          depends_on: ['build'],
        },
        {
          id: 'fix',
          name: 'Fix',
          type: 'agent',
          prompt: 'Fix the failures',
          depends_on: ['build', 'review'],
          max_turns: 5,
        },
      ],
    });
    expect(plan.steps.map((step) => step.id)).toEqual(['build', 'review', 'fix']);
    expect(plan.steps[0].depends_on).toEqual([]);
    expect(stepConfigOf(plan.steps[0])).toEqual({ run: ['npm', 'run', 'build'], env: { CI: 'true' } });
    expect(stepConfigOf(plan.steps[2])).toEqual({ prompt: 'Fix the failures', max_turns: 5 });
  });

  it('refuses a shell command given as a string (it would need a shell to run)', () => {
    const messages = validationMessages(() =>
      parseWorkflowPlan({ steps: [{ id: 'test', name: 'Test', type: 'shell', run: 'npm test && rm -rf /' }] }),
    );
    expect(messages).toEqual([expect.stringMatching(/^steps\.0\.run: must be an argv array/)]);
  });

  it('refuses an empty argv, an empty program and options a step type does not have', () => {
    expect(validationMessages(() => parseWorkflowPlan({ steps: [{ ...shell('a'), run: [] }] }))).toEqual([
      expect.stringMatching(/^steps\.0\.run: /),
    ]);
    expect(validationMessages(() => parseWorkflowPlan({ steps: [{ ...shell('a'), run: [''] }] }))).toEqual([
      expect.stringMatching(/^steps\.0\.run: /),
    ]);
    expect(validationMessages(() => parseWorkflowPlan({ steps: [{ ...shell('a'), shell: 'bash' }] }))).toEqual([
      expect.stringMatching(/^steps\.0: .*shell/),
    ]);
    expect(validationMessages(() => parseWorkflowPlan({ steps: [{ id: 'a', name: 'A', type: 'llm' }] }))).toEqual([
      expect.stringMatching(/^steps\.0\.prompt: /),
    ]);
  });

  it('names duplicate step ids', () => {
    expect(
      validationMessages(() => parseWorkflowPlan({ steps: [shell('build'), shell('test'), shell('build')] })),
    ).toEqual(['steps.2.id: duplicate step id: build']);
  });

  it('names dependencies on steps that do not exist', () => {
    expect(
      validationMessages(() => parseWorkflowPlan({ steps: [shell('build'), shell('test', ['build', 'lint'])] })),
    ).toEqual(['steps.1.depends_on: unknown dependency: test depends on lint']);
  });

  it('names the steps of a cycle in execution order', () => {
    expect(
      validationMessages(() => parseWorkflowPlan({ steps: [shell('build', ['test']), shell('test', ['build'])] })),
    ).toEqual(['steps: cycle: build -> test -> build']);
    expect(
      validationMessages(() =>
        parseWorkflowPlan({
          steps: [shell('setup'), shell('a', ['setup', 'c']), shell('b', ['a']), shell('c', ['b'])],
        }),
      ),
    ).toEqual(['steps: cycle: a -> b -> c -> a']);
    expect(validationMessages(() => parseWorkflowPlan({ steps: [shell('self', ['self'])] }))).toEqual([
      'steps: cycle: self -> self',
    ]);
  });

  it('orders steps after their dependencies, keeping declaration order otherwise', () => {
    const plan = parseWorkflowPlan({
      steps: [shell('deploy', ['test', 'lint']), shell('test', ['build']), shell('lint'), shell('build')],
    });
    expect(topologicalOrder(plan).map((step) => step.id)).toEqual(['lint', 'build', 'test', 'deploy']);
  });
});
