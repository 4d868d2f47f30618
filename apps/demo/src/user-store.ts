import { randomBytes } from 'node:crypto';
import type { User } from '@wsgate/server';
import type { DemoDatabase } from './database.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password-hash.js';

/** A user as the server sees it; the password hash stays in the database. */
export interface DemoUser extends User {
  readonly id: string;
  readonly username: string;
  /** Changes on "log out everywhere", which ends every session of the user. */
  readonly sessionAuthHash: string;
}

/** Why `create` refused a sign-up; the page shows the message. */
export type SignUpRefusal = 'username' | 'password' | 'taken';

interface UserRow {
  readonly id: number;
  readonly username: string;
  readonly password_hash: string;
  readonly session_key: string;
}

const usernamePattern = /^[a-zA-Z0-9_-]{2,24}$/;
const minPasswordLength = 8;
const maxPasswordLength = 200;

function toUser(row: UserRow): DemoUser {
  return { id: String(row.id), username: row.username, sessionAuthHash: row.session_key };
}

function newSessionKey(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The demo's accounts, in SQLite: sign-up, password check, lookup by id (the auth stack's
 * `loadUser`), and ending every session of a user. Passwords are stored as scrypt hashes only.
 *
 * @example
 * const users = new UserStore(openDatabase('data/demo.sqlite'));
 * const ada = await users.create('ada', 'correct horse');
 * const same = await users.authenticate('ada', 'correct horse');
 */
export class UserStore {
  readonly #db: DemoDatabase;

  constructor(db: DemoDatabase) {
    this.#db = db;
  }

  /** The new user, or why not. The username's case is kept, but `Ada` and `ada` are one name. */
  async create(username: string, password: string): Promise<DemoUser | SignUpRefusal> {
    if (!usernamePattern.test(username)) return 'username';
    if (password.length < minPasswordLength || password.length > maxPasswordLength) {
      return 'password';
    }
    const passwordHash = await hashPassword(password);
    const result = this.#db
      .prepare(
        'INSERT INTO users (username, password_hash, session_key, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING',
      )
      .run(username, passwordHash, newSessionKey(), Date.now());
    if (result.changes === 0) return 'taken';
    return this.findById(String(result.lastInsertRowid)) as DemoUser;
  }

  /**
   * The user whose password this is, or null. An unknown name costs one scrypt check too (of
   * a dummy hash), so "no such user" and "wrong password" look the same from outside.
   */
  async authenticate(username: string, password: string): Promise<DemoUser | null> {
    const row = this.#row('SELECT * FROM users WHERE username = ?', username.trim());
    const stored = row?.password_hash ?? (await dummyPasswordHash());
    const matches = await verifyPassword(password.slice(0, maxPasswordLength), stored);
    return matches && row ? toUser(row) : null;
  }

  findById(id: string): DemoUser | null {
    const row = this.#row('SELECT * FROM users WHERE id = ?', id);
    return row ? toUser(row) : null;
  }

  /**
   * Ends every session of the user: their stored `sessionAuthHash` no longer matches. Returns
   * the user as they are now.
   */
  endAllSessions(id: string): DemoUser | null {
    this.#db.prepare('UPDATE users SET session_key = ? WHERE id = ?').run(newSessionKey(), id);
    return this.findById(id);
  }

  #row(sql: string, value: string): UserRow | undefined {
    return this.#db.prepare<[string], UserRow>(sql).get(value);
  }
}
