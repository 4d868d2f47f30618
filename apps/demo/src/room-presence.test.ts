import { describe, expect, it } from 'vitest';
import { RoomPresence } from './room-presence.js';

describe('RoomPresence', () => {
  it('lists each name once, sorted, and counts guests', () => {
    const presence = new RoomPresence();
    expect(presence.set('c1', 'grace')).toEqual({
      type: 'presence',
      members: ['grace'],
      guests: 0,
      joined: 'grace',
    });
    expect(presence.set('c2', null)).toEqual({ type: 'presence', members: ['grace'], guests: 1 });
    expect(presence.set('c3', 'ada')).toMatchObject({ members: ['ada', 'grace'], joined: 'ada' });
    // A second tab of a name already here is not news.
    expect(presence.set('c4', 'ada')).toEqual({
      type: 'presence',
      members: ['ada', 'grace'],
      guests: 1,
    });
  });

  it('says who left only when their last socket goes', () => {
    const presence = new RoomPresence();
    presence.set('c1', 'ada');
    presence.set('c2', 'ada');
    expect(presence.delete('c1')).toEqual({ type: 'presence', members: ['ada'], guests: 0 });
    expect(presence.delete('c2')).toEqual({
      type: 'presence',
      members: [],
      guests: 0,
      left: 'ada',
    });
    expect(presence.delete('unknown')).toEqual({ type: 'presence', members: [], guests: 0 });
  });

  it('reports a sign-in and a sign-out on a socket as a join and a leave', () => {
    const presence = new RoomPresence();
    presence.set('c1', null);
    expect(presence.set('c1', 'ada')).toEqual({
      type: 'presence',
      members: ['ada'],
      guests: 0,
      joined: 'ada',
    });
    expect(presence.set('c1', 'ada')).toEqual({ type: 'presence', members: ['ada'], guests: 0 });
    expect(presence.set('c1', null)).toEqual({
      type: 'presence',
      members: [],
      guests: 1,
      left: 'ada',
    });
  });
});
