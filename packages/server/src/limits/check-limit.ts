/**
 * The one check every limit option goes through, so a typo (`'5'`, `-1`, `NaN`) fails at
 * startup with the option's name instead of silently meaning "no limit" or "nothing allowed".
 */
import { ServerErrorCode, WsgateError } from '../errors.js';

/** What a limit may be: a count (integer) or a size or duration, and whether 0 or Infinity make sense. */
export interface LimitShape {
  readonly integer?: boolean;
  readonly allowZero?: boolean;
  /** Infinity turns the limit off. */
  readonly allowInfinity?: boolean;
}

/**
 * Returns `value` if it is a valid limit, otherwise throws INVALID_OPTION naming `where`.
 *
 * @example
 * const maxQueued = checkLimit('Semaphore', 'maxQueued', options.maxQueued ?? 100, { integer: true, allowZero: true });
 */
export function checkLimit(
  where: string,
  name: string,
  value: unknown,
  shape: LimitShape = {},
): number {
  const valid =
    typeof value === 'number' &&
    (value === Infinity
      ? shape.allowInfinity === true
      : Number.isFinite(value) &&
        (value > 0 || (value === 0 && shape.allowZero === true)) &&
        (shape.integer !== true || Number.isInteger(value)));
  if (valid) return value;
  const kind = shape.integer === true ? 'an integer' : 'a number';
  const floor = shape.allowZero === true ? '>= 0' : '> 0';
  const off = shape.allowInfinity === true ? ', or Infinity for no limit' : '';
  throw new WsgateError(
    ServerErrorCode.invalidOption,
    `${where} needs ${name} to be ${kind} ${floor}${off}; got ${JSON.stringify(value) ?? String(value)}.`,
  );
}
