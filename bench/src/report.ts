import type { Measurement, MeasurementResult, RowSpec } from './measurement.js';
import { median } from './stats.js';

/** What one measurement produced against one server in one window. */
export interface Sample {
  readonly measurement: string;
  readonly round: number;
  readonly target: string;
  readonly result: MeasurementResult;
}

export interface SummaryRow {
  readonly spec: RowSpec;
  /** Per target, in target order: every window's value. */
  readonly samples: readonly (readonly number[])[];
  /** Per target: the median of its windows. */
  readonly medians: readonly number[];
  /** Per target after the first: its median / the first target's median. */
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
 * Reduces the windows to the table: the median per row and server (the windows alternate
 * between servers, so a busy neighbour lands on both sides and the median shrugs off the
 * odd window it spoiled), the ratio to the first server, and every failure summed by
 * measurement, server and reason.
 *
 * @example
 * const summary = summarise(measurements, ['raw ws', 'wsgate'], samples);
 */
export function summarise(
  measurements: readonly Measurement[],
  targets: readonly string[],
  samples: readonly Sample[],
): Summary {
  const resultsOf = (measurement: Measurement, target: string): MeasurementResult[] =>
    samples
      .filter((sample) => sample.measurement === measurement.name && sample.target === target)
      .map((sample) => sample.result);
  const rows = measurements.flatMap((measurement) =>
    measurement.rows.map((spec): SummaryRow => {
      const values = targets.map((target) =>
        resultsOf(measurement, target).flatMap((result) => result.figures[spec.id] ?? []),
      );
      const medians = values.map(median);
      const baseline = medians[0] ?? Number.NaN;
      return {
        spec,
        samples: values,
        medians,
        ratios: medians.slice(1).map((value) => value / baseline),
      };
    }),
  );
  // Only the pairs that ran: a server a measurement left out (its load does not speak the
  // server's protocol) reads n/a in the table, and "none" here would claim a clean run.
  const failures = measurements.flatMap((measurement) =>
    targets.flatMap((target): FailureSummary[] => {
      const results = resultsOf(measurement, target);
      if (results.length === 0) return [];
      const reasons: Record<string, number> = {};
      for (const result of results) {
        for (const [reason, count] of Object.entries(result.failures)) {
          reasons[reason] = (reasons[reason] ?? 0) + count;
        }
      }
      const total = Object.values(reasons).reduce((sum, count) => sum + count, 0);
      return [{ measurement: measurement.name, target, total, reasons }];
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
  // Prettier's own table style, so pasting the output into Markdown leaves nothing to reformat.
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/**
 * The summary as Markdown: the table of medians with ratios, every window's figures,
 * and the failures of every pair that ran (zero included, so "none" is a statement, not an
 * omission).
 */
export function formatSummary(summary: Summary): string {
  const [baseline, ...others] = summary.targets;
  const table = markdownTable(
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
      ...row.medians.map((value) => formatNumber(value, row.spec.decimals)),
      ...row.ratios.map((ratio) => formatNumber(ratio, 2)),
    ]),
  );
  const samples = markdownTable(
    ['row', ...summary.targets.map((target) => `${target} (each window)`)],
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
  // A suite of one server (nothing it could fairly be compared with) has no ratio columns.
  const medians =
    others.length === 0 ? 'Median of the windows (no baseline)' : 'Median of the windows';
  return [
    `${medians}:\n\n${table}`,
    `Every window:\n\n${samples}`,
    `Failures (all windows, warm-ups included):\n\n${failures.join('\n')}`,
  ].join('\n\n');
}
