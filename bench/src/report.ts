import type { Measurement, MeasurementResult, RowSpec } from './measurement.js';

/** One server's results for every measurement in one round. */
export interface RoundResult {
  readonly round: number;
  readonly target: string;
  readonly results: Readonly<Record<string, MeasurementResult>>;
}

export interface SummaryRow {
  readonly spec: RowSpec;
  /** Per target, in target order: every round's value. */
  readonly samples: readonly (readonly number[])[];
  /** Per target: the best round (max or min, as the row says). */
  readonly best: readonly number[];
  /** Per target after the first: best / the first target's best. */
  readonly ratios: readonly number[];
}

export interface FailureSummary {
  readonly measurement: string;
  readonly target: string;
  readonly total: number;
  readonly reasons: Readonly<Record<string, number>>;
}

export interface Summary {
  readonly targets: readonly string[];
  readonly rows: readonly SummaryRow[];
  readonly failures: readonly FailureSummary[];
}

/**
 * Reduces the rounds to the table: best of the rounds per row and server (a noisy round
 * only ever slows a side down, so the best is the least disturbed), the ratio to the first
 * server, and every failure summed by measurement, server and reason.
 *
 * @example
 * const summary = summarise(measurements, ['raw ws', 'wsgate'], rounds);
 */
export function summarise(
  measurements: readonly Measurement[],
  targets: readonly string[],
  rounds: readonly RoundResult[],
): Summary {
  const roundsOf = (target: string): RoundResult[] =>
    rounds.filter((round) => round.target === target);
  const rows = measurements.flatMap((measurement) =>
    measurement.rows.map((spec): SummaryRow => {
      const samples = targets.map((target) =>
        roundsOf(target).map((round) => round.results[measurement.name]?.figures[spec.id] ?? NaN),
      );
      const pick = spec.better === 'higher' ? Math.max : Math.min;
      const best = samples.map((values) => (values.length === 0 ? NaN : pick(...values)));
      const baseline = best[0] ?? NaN;
      return { spec, samples, best, ratios: best.slice(1).map((value) => value / baseline) };
    }),
  );
  const failures = measurements.flatMap((measurement) =>
    targets.map((target): FailureSummary => {
      const reasons: Record<string, number> = {};
      for (const round of roundsOf(target)) {
        for (const [reason, count] of Object.entries(
          round.results[measurement.name]?.failures ?? {},
        )) {
          reasons[reason] = (reasons[reason] ?? 0) + count;
        }
      }
      const total = Object.values(reasons).reduce((sum, count) => sum + count, 0);
      return { measurement: measurement.name, target, total, reasons };
    }),
  );
  return { targets, rows, failures };
}

function formatNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...body.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/**
 * The summary as Markdown: the table of best figures with ratios, every round's figures,
 * and the failures (all of them, zero included, so "none" is a statement, not an omission).
 */
export function formatSummary(summary: Summary): string {
  const [baseline, ...others] = summary.targets;
  const best = markdownTable(
    [
      'row',
      'unit',
      'better',
      ...summary.targets,
      ...others.map((target) => `${target} / ${baseline}`),
    ],
    summary.rows.map((row) => [
      row.spec.label,
      row.spec.unit,
      row.spec.better,
      ...row.best.map((value) => formatNumber(value, row.spec.decimals)),
      ...row.ratios.map((ratio) => formatNumber(ratio, 2)),
    ]),
  );
  const samples = markdownTable(
    ['row', ...summary.targets.map((target) => `${target} (each round)`)],
    summary.rows.map((row) => [
      row.spec.label,
      ...row.samples.map((values) =>
        values.map((value) => formatNumber(value, row.spec.decimals)).join(', '),
      ),
    ]),
  );
  const failures = summary.failures.map(({ measurement, target, total, reasons }) => {
    const detail = Object.entries(reasons)
      .map(([reason, count]) => `${count} × ${reason}`)
      .join('; ');
    return `- ${measurement}, ${target}: ${total === 0 ? 'none' : `${total} (${detail})`}`;
  });
  return [
    `Best of the rounds:\n\n${best}`,
    `Every round:\n\n${samples}`,
    `Failures (all rounds, warm-up included):\n\n${failures.join('\n')}`,
  ].join('\n\n');
}
