import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** The demo's SQLite connection (better-sqlite3 is synchronous: one short query at a time). */
export type DemoDatabase = Database.Database;

/**
 * The tables, created when missing. `session_key` is each user's `sessionAuthHash`: replacing
 * it ends every session of that user (the demo's "log out everywhere").
 */
const schema = `
  CREATE TABLE IF NOT EXISTS users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    session_key   TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS revoked_sessions (
    id         TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
`;

/**
 * Opens (or creates) the database file; `':memory:'` for a throwaway one.
 *
 * @example
 * const db = openDatabase('data/demo.sqlite');
 */
export function openDatabase(file: string): DemoDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // WAL: readers never wait for the writer, and a crash mid-write loses nothing committed.
  db.pragma('journal_mode = WAL');
  db.exec(schema);
  return db;
}
