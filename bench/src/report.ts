import type { SeededDataset } from './bench-database';
import type { Environment } from './environment';
import type { Comparison, MeasureOptions } from './measure';
import type { PlanSummary } from './plan-check';

/** The DAO should keep at least this share of raw pg's throughput. */
export const TARGET_RATIO = 0.8;

export interface PathResult {
  name: string;
  role: string;
  /** Average rows a call returned over the path's inputs. */
  rowsPerCall: number;
  /** Statements one DAO call sends, and how many of them are transaction control (BEGIN/COMMIT). */
  statementsPerCall: number;
  transactionStatementsPerCall: number;
  comparison: Comparison;
  /** Plans of the first input's data statements. */
  plans: PlanSummary[];
  /** Whether some input's plan reads `issues` sequentially. */
  sequentialScanOnIssues: boolean;
  isIssueList: boolean;
}

export interface DataReport {
  environment: Environment;
  dataset: SeededDataset;
  measure: MeasureOptions;
  inputsPerPath: number;
  results: PathResult[];
}

/** The whole report as Markdown, ready to paste into bench/RESULTS.md. */
export function formatDataReport(report: DataReport): string {
  const { environment, dataset, measure } = report;
  const lines: string[] = [];
  lines.push(`## Data layer: DAO vs raw pg (${environment.date})`, '');
  lines.push(
    `- Machine: ${environment.cpus}, ${environment.memory} RAM, ${environment.os}`,
    `- Node ${environment.node}; ${environment.postgres}`,
    `- PostgreSQL settings: ${Object.entries(environment.postgresSettings)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}`,
    `- Dataset: ${Object.entries(dataset.rowCounts)
      .map(([table, rows]) => `${table} ${rows.toLocaleString('en-US')}`)
      .join(', ')}` +
      ` (seeded ${dataset.seededAt.toISOString()} in ${dataset.seedSeconds.toFixed(0)} s${dataset.reused ? ', reused' : ''})`,
    `- Run: concurrency ${measure.concurrency} (pool size ${measure.concurrency} on both sides), ` +
      `${measure.durationMs / 1000} s per path (half DAO, half raw, alternating turns of about ${measure.sliceMs} ms), ` +
      `warm-up ${measure.warmupMs / 1000} s per side, ${report.inputsPerPath} inputs per path in rotation`,
    '',
  );

  lines.push(
    '| path | rows | SQL/call | DAO ops/s | raw ops/s | DAO/raw | DAO p50 ms | DAO p99 ms | raw p50 ms | raw p99 ms | Node CPU µs/call DAO / raw |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const result of report.results) {
    const { dao, raw } = result.comparison;
    const ratio = raw.opsPerSecond > 0 ? dao.opsPerSecond / raw.opsPerSecond : Number.NaN;
    const statements =
      result.transactionStatementsPerCall > 0
        ? `${result.statementsPerCall} (${result.transactionStatementsPerCall} tx)`
        : `${result.statementsPerCall}`;
    lines.push(
      `| ${result.name} | ${result.rowsPerCall.toFixed(1)} | ${statements} | ${opsPerSecond(dao.opsPerSecond)} | ` +
        `${opsPerSecond(raw.opsPerSecond)} | ${ratio.toFixed(2)}${ratio < TARGET_RATIO ? ' ⚠' : ''} | ` +
        `${milliseconds(dao.p50Ms)} | ${milliseconds(dao.p99Ms)} | ${milliseconds(raw.p50Ms)} | ${milliseconds(raw.p99Ms)} | ` +
        `${Math.round(dao.clientCpuMicrosPerOp)} / ${Math.round(raw.clientCpuMicrosPerOp)} |`,
    );
  }

  lines.push(
    '',
    '| path | plan (EXPLAIN, first input) | issues read by | no Seq Scan on issues |',
    '| --- | --- | --- | --- |',
  );
  for (const result of report.results) {
    const accesses = result.plans.flatMap((plan) => plan.accesses);
    const verdict = result.sequentialScanOnIssues ? '**Seq Scan on issues**' : 'yes';
    lines.push(
      `| ${result.name} | ${result.plans.map((plan) => plan.top).join('; ')} | ${accesses.join('; ') || '-'} | ${verdict} |`,
    );
  }

  const slow = report.results.filter(
    (result) => result.comparison.dao.opsPerSecond < TARGET_RATIO * result.comparison.raw.opsPerSecond,
  );
  const scanning = report.results.filter((result) => result.isIssueList && result.sequentialScanOnIssues);
  lines.push(
    '',
    slow.length === 0
      ? `Every path keeps at least ${TARGET_RATIO} of raw pg's throughput.`
      : `Below ${TARGET_RATIO} of raw pg's throughput: ${slow.map((result) => result.name).join(', ')}.`,
    scanning.length === 0
      ? 'No issues.list filter reads issues with a sequential scan.'
      : `issues.list paths with a sequential scan of issues: ${scanning.map((result) => result.name).join(', ')}.`,
  );
  return `${lines.join('\n')}\n`;
}

function opsPerSecond(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function milliseconds(value: number): string {
  return value.toFixed(value < 10 ? 2 : 1);
}
