/**
 * Where wsgate says what it did and why. Refusals (a denied Origin, an oversized frame) are
 * logged at `debug`, application crashes at `error`. The level comes from `WSGATE_LOG`
 * (debug | info | warn | error | silent) unless a logger is passed in the options.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

function isLogLevel(value: string | undefined): value is LogLevel {
  return value !== undefined && Object.hasOwn(order, value);
}

/**
 * A logger that writes one line per entry to the console, from `level` up.
 *
 * @example
 * serve(app, { logger: consoleLogger('debug') });
 */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const at =
    (entryLevel: Exclude<LogLevel, 'silent'>) =>
    (message: string, details?: Record<string, unknown>): void => {
      if (order[entryLevel] < order[level]) return;
      const line = `[wsgate] ${entryLevel}: ${message}`;
      if (details === undefined) console[entryLevel](line);
      else console[entryLevel](line, details);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const envLevel = process.env.WSGATE_LOG;

/** The logger used where none is passed: `WSGATE_LOG`, or `info`. */
export const defaultLogger: Logger = consoleLogger(isLogLevel(envLevel) ? envLevel : 'info');
