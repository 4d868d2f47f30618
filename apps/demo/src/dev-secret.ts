import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
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
    secret = randomBytes(32).toString('base64url');
    // Only this user may read it: whoever holds it can forge any session.
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  }
  warn(
    `wsgate demo: SESSION_SECRET is not set, so sessions are sealed with a generated development secret (${file}). Set SESSION_SECRET (32+ characters) anywhere but your own machine.`,
  );
  return secret;
}
