import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The secret kept by an earlier start, or '' when there is none (or it was cut short). */
function readSecret(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Writes `secret` to `file` unless another process got there first: two nodes started at once
 * on a new data folder must end up with one secret, or each refuses the other's cookies. The
 * file appears complete or not at all (written aside, then linked, which fails if it exists).
 */
function keepFirstSecret(file: string, secret: string): void {
  const aside = `${file}.${process.pid}.tmp`;
  // Only this user may read it: whoever holds it can forge any session.
  writeFileSync(aside, `${secret}\n`, { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (error) {
    // A secret cut short by an older version's crash is replaced; a complete one is kept.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (readSecret(file).length < 32) writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * The session password: `SESSION_SECRET` when set (at least 32 characters), else a random one
 * generated on first start and kept in the data folder, so sessions survive restarts. The
 * generated one is for development only, which the warning says.
 *
 * @example
 * const password = sessionSecret(process.env.SESSION_SECRET, 'data', console.warn);
 */
export function sessionSecret(
  configured: string | undefined,
  dataDir: string,
  warn: (message: string) => void,
): string {
  if (configured !== undefined && configured !== '') {
    if (configured.length < 32) {
      throw new Error(
        'SESSION_SECRET must be at least 32 characters: try `openssl rand -base64 32`',
      );
    }
    return configured;
  }
  const file = join(dataDir, 'dev-session-secret');
  let secret = readSecret(file);
  if (secret.length < 32) {
    keepFirstSecret(file, randomBytes(32).toString('base64url'));
    secret = readSecret(file);
  }
  warn(
    `wsgate demo: SESSION_SECRET is not set, so sessions are sealed with a generated development secret (${file}). Set SESSION_SECRET (32+ characters) anywhere but your own machine.`,
  );
  return secret;
}
