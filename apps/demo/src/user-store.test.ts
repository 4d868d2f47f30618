import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import type { DemoDatabase } from './database.js';
import { UserStore } from './user-store.js';

let db: DemoDatabase;
let users: UserStore;

beforeEach(() => {
  db = openDatabase(':memory:');
  users = new UserStore(db);
});

describe('UserStore', () => {
  it('creates users with a hashed password and finds them by id', async () => {
    const ada = await users.create('Ada', 'lovelace-1815');
    expect(ada).toEqual({
      id: '1',
      username: 'Ada',
      sessionAuthHash: expect.any(String) as string,
    });
    expect(users.findById('1')).toEqual(ada);
    expect(users.findById('2')).toBeNull();
    const row = db.prepare('SELECT password_hash FROM users').get() as { password_hash: string };
    expect(row.password_hash).toMatch(/^scrypt\$/);
  });

  it('refuses bad names, short passwords and taken names (in any case)', async () => {
    expect(await users.create('a', 'lovelace-1815')).toBe('username');
    expect(await users.create('ada!', 'lovelace-1815')).toBe('username');
    expect(await users.create('ada', 'short')).toBe('password');
    await users.create('ada', 'lovelace-1815');
    expect(await users.create('ADA', 'something-else')).toBe('taken');
  });

  it('authenticates by password, whatever the name’s case, with the same answer for unknown names', async () => {
    await users.create('ada', 'lovelace-1815');
    expect(await users.authenticate(' ADA ', 'lovelace-1815')).toMatchObject({ username: 'ada' });
    expect(await users.authenticate('ada', 'wrong')).toBeNull();
    expect(await users.authenticate('nobody', 'lovelace-1815')).toBeNull();
  });

  it('ends every session by changing the user’s sessionAuthHash', async () => {
    const ada = await users.create('ada', 'lovelace-1815');
    const after = users.endAllSessions('1');
    expect(after?.sessionAuthHash).not.toBe((ada as { sessionAuthHash: string }).sessionAuthHash);
    expect(users.endAllSessions('99')).toBeNull();
  });
});
