import type { Pool } from 'pg';
import type { CapturedStatement } from './query-capture';

/** A node of EXPLAIN (FORMAT JSON) output, with the fields this check reads. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Parent Relationship'?: string;
  Plans?: PlanNode[];
}

export interface PlanSummary {
  /** The plan from its root down to its first scan or join, e.g. "Limit > Index Scan using x on issues". */
  top: string;
  /** How each scan of `table` reads it, e.g. "Index Scan using issues_repo_id_state_created_at_idx". */
  accesses: string[];
  /** True when some node reads `table` with a sequential scan. */
  sequentialScan: boolean;
}

/** EXPLAINs (without running) the statement with its parameters, as the given pool's role. */
export async function explainStatement(pool: Pool, statement: CapturedStatement, table: string): Promise<PlanSummary> {
  const result = await pool.query(`EXPLAIN (FORMAT JSON) ${statement.sql}`, statement.params);
  const root = (result.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan;
  const accesses: string[] = [];
  let sequentialScan = false;
  const visit = (node: PlanNode) => {
    if (node['Relation Name'] === table) {
      accesses.push(describe(node, false));
      if (node['Node Type'] === 'Seq Scan') sequentialScan = true;
    }
    if (node['Node Type'] === 'Bitmap Heap Scan' && node['Relation Name'] === table) {
      accesses[accesses.length - 1] += ` (${bitmapIndexes(node).join(', ')})`;
    }
    node.Plans?.forEach(visit);
  };
  visit(root);
  return { top: topChain(root), accesses, sequentialScan };
}

function describe(node: PlanNode, withRelation: boolean): string {
  let text = node['Node Type'];
  if (node['Index Name']) text += ` using ${node['Index Name']}`;
  if (withRelation && node['Relation Name']) text += ` on ${node['Relation Name']}`;
  return text;
}

function topChain(root: PlanNode): string {
  const chain: string[] = [];
  let node: PlanNode | undefined = root;
  while (node) {
    chain.push(describe(node, true));
    const children: PlanNode[] = (node.Plans ?? []).filter(
      (child) => child['Parent Relationship'] !== 'InitPlan' && child['Parent Relationship'] !== 'SubPlan',
    );
    node = children.length === 1 ? children[0] : undefined;
  }
  return chain.join(' > ');
}

function bitmapIndexes(node: PlanNode): string[] {
  const names: string[] = [];
  const visit = (child: PlanNode) => {
    if (child['Index Name']) names.push(child['Index Name']);
    child.Plans?.forEach(visit);
  };
  node.Plans?.forEach(visit);
  return names;
}
