import { parseInput, ValidationError } from '@plue/db';
import { z } from 'zod';

// A workflow's plan is a DAG of steps. Shell steps carry an argv array that the runner executes
// directly (execve-style): a shell string is refused, because workflow shell steps were once run
// through `sh -c` and a branch name or issue title could inject commands.

export const WORKFLOW_STEP_TYPES = ['shell', 'llm', 'agent'] as const;
export type WorkflowStepType = (typeof WORKFLOW_STEP_TYPES)[number];

/** Most steps a plan may have: keeps validation and run creation bounded. */
export const MAX_PLAN_STEPS = 200;

const stepId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/,
    'must be 1-100 letters, digits, "_", "." or "-", starting with a letter or digit',
  );
const stepName = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => name.trim() !== '', 'must not be blank');
const argument = z
  .string()
  .max(65_536)
  .refine((value) => !value.includes('\0'), 'must not contain NUL');
const environmentName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const stepCommon = {
  id: stepId,
  name: stepName,
  depends_on: z.array(stepId).max(MAX_PLAN_STEPS).default([]),
};

const shellConfig = {
  /** argv: the program, then its arguments. Never a string handed to a shell. */
  run: z
    .array(argument, { error: 'must be an argv array such as ["npm", "test"], never a shell string' })
    .min(1, 'must name a program')
    .refine((argv) => argv[0] !== '', 'the program must not be empty'),
  env: z.record(environmentName, argument).optional(),
  working_directory: z
    .string()
    .min(1)
    .max(1024)
    .refine((path) => !/(^\/|(^|\/)\.\.(\/|$))/.test(path), 'must be a relative path inside the repository')
    .optional(),
  timeout_seconds: z.number().int().min(1).max(86_400).optional(),
};

const promptConfig = {
  prompt: z.string().min(1).max(100_000),
  model: z.string().min(1).max(255).optional(),
};

const shellStep = z.strictObject({ ...stepCommon, type: z.literal('shell'), ...shellConfig });
const llmStep = z.strictObject({ ...stepCommon, type: z.literal('llm'), ...promptConfig });
const agentStep = z.strictObject({
  ...stepCommon,
  type: z.literal('agent'),
  ...promptConfig,
  max_turns: z.number().int().min(1).max(1000).optional(),
});

const planSchema = z.strictObject({
  steps: z
    .array(z.discriminatedUnion('type', [shellStep, llmStep, agentStep]))
    .min(1, 'a plan needs at least one step')
    .max(MAX_PLAN_STEPS),
});

export type WorkflowPlan = z.output<typeof planSchema>;
export type WorkflowPlanStep = WorkflowPlan['steps'][number];
export type ShellStepConfig = Omit<z.output<typeof shellStep>, 'id' | 'name' | 'type' | 'depends_on'>;
export type LlmStepConfig = Omit<z.output<typeof llmStep>, 'id' | 'name' | 'type' | 'depends_on'>;
export type AgentStepConfig = Omit<z.output<typeof agentStep>, 'id' | 'name' | 'type' | 'depends_on'>;
/** What workflow_steps.config holds: the step's type-specific settings. */
export type WorkflowStepConfig = ShellStepConfig | LlmStepConfig | AgentStepConfig;

/** The zod schema of a plan's shape (the graph rules are checked by parseWorkflowPlan). */
export const workflowPlanSchema = planSchema;

/**
 * Validates a plan: its shape (zod), then its graph. Duplicate step ids, dependencies on unknown
 * steps and cycles are refused with a ValidationError naming the offending ids, e.g.
 * "cycle: build -> test -> build".
 */
export function parseWorkflowPlan(input: unknown): WorkflowPlan {
  const plan = parseInput(planSchema, input);
  const issues = [...duplicateIdIssues(plan), ...unknownDependencyIssues(plan)];
  if (issues.length === 0) {
    const cycle = findCycle(plan);
    if (cycle) issues.push({ field: 'steps', message: `cycle: ${cycle.join(' -> ')}` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return plan;
}

/** The plan's steps ordered so that every step comes after its dependencies (declaration order breaks ties). */
export function topologicalOrder(plan: WorkflowPlan): WorkflowPlanStep[] {
  const remaining = new Map(plan.steps.map((step) => [step.id, new Set(step.depends_on)]));
  const ordered: WorkflowPlanStep[] = [];
  while (ordered.length < plan.steps.length) {
    const next = plan.steps.find((step) => remaining.get(step.id)?.size === 0);
    if (!next) throw new ValidationError([{ field: 'steps', message: `cycle: ${findCycle(plan)?.join(' -> ')}` }]);
    remaining.delete(next.id);
    for (const dependencies of remaining.values()) dependencies.delete(next.id);
    ordered.push(next);
  }
  return ordered;
}

/** Splits a plan step into the columns of its workflow_steps row. */
export function stepConfigOf(step: WorkflowPlanStep): WorkflowStepConfig {
  const { id: _id, name: _name, type: _type, depends_on: _dependsOn, ...config } = step;
  return config;
}

function duplicateIdIssues(plan: WorkflowPlan): { field: string; message: string }[] {
  const seen = new Set<string>();
  const issues: { field: string; message: string }[] = [];
  plan.steps.forEach((step, index) => {
    if (seen.has(step.id)) issues.push({ field: `steps.${index}.id`, message: `duplicate step id: ${step.id}` });
    seen.add(step.id);
  });
  return issues;
}

function unknownDependencyIssues(plan: WorkflowPlan): { field: string; message: string }[] {
  const ids = new Set(plan.steps.map((step) => step.id));
  return plan.steps.flatMap((step, index) =>
    step.depends_on
      .filter((dependency) => !ids.has(dependency))
      .map((dependency) => ({
        field: `steps.${index}.depends_on`,
        message: `unknown dependency: ${step.id} depends on ${dependency}`,
      })),
  );
}

/** The first cycle found by depth-first search, as a closed path of step ids ("a", "b", "a"). */
function findCycle(plan: WorkflowPlan): string[] | undefined {
  const dependenciesOf = new Map(plan.steps.map((step) => [step.id, step.depends_on]));
  const finished = new Set<string>();
  const path: string[] = [];

  const visit = (id: string): string[] | undefined => {
    const onPath = path.indexOf(id);
    if (onPath >= 0) return [...path.slice(onPath), id];
    if (finished.has(id)) return undefined;
    path.push(id);
    for (const dependency of dependenciesOf.get(id) ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    finished.add(id);
    return undefined;
  };

  for (const step of plan.steps) {
    const cycle = visit(step.id);
    // The search walks dependency edges (step -> what it needs); report in execution order.
    if (cycle) return cycle.reverse();
  }
  return undefined;
}
