import { describe, expect, it } from 'vitest';
import { handlerName, reserveBuiltInMethods } from './handler-name.js';

describe('handlerName', () => {
  it.each([
    ['chat.message', 'chatMessage'],
    ['chat_message', 'chatMessage'],
    ['user.joined_room', 'userJoinedRoom'],
    ['ping', 'ping'],
    ['v2.update', 'v2Update'],
    ['already.camelCase', 'alreadyCamelCase'],
  ])('maps %j to %s', (type, name) => {
    expect(handlerName(type)).toBe(name);
  });

  it.each([
    ['_private'],
    ['.leading'],
    ['trailing.'],
    ['double..dot'],
    ['has space'],
    [''],
    ['1st'],
  ])('refuses the malformed type %j', (type) => {
    expect(() => handlerName(type)).toThrow(/malformed channel-layer message type/);
  });

  it("refuses Object's methods and reserved ones, also after a name was cached", () => {
    expect(() => handlerName('has_own_property')).toThrow(/maps to hasOwnProperty\(\)/);
    expect(handlerName('custom.hook')).toBe('customHook');
    reserveBuiltInMethods({ customHook() {} });
    expect(() => handlerName('custom.hook')).toThrow(/maps to customHook\(\), a built-in/);
  });
});
