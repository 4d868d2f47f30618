import { describe, expect, it } from 'vitest';
import { CookieJar } from './cookie-jar.js';

describe('CookieJar', () => {
  it('is empty without cookies, so no Cookie header is sent', () => {
    expect(new CookieJar().header()).toBeUndefined();
  });

  it('keeps the caller’s cookies and replaces them with newer values', () => {
    const jar = new CookieJar('theme=dark; wsgate.session=old');
    jar.store(['wsgate.session=new.seal==; Path=/; HttpOnly; SameSite=Lax']);
    expect(jar.header()).toBe('theme=dark; wsgate.session=new.seal==');
  });

  it('deletes cookies the server expires with Max-Age or Expires', () => {
    const jar = new CookieJar('a=1; b=2; c=3');
    jar.store([
      'a=; Max-Age=0; Path=/',
      'b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      'c=4; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ]);
    expect(jar.header()).toBe('c=4');
  });

  it('ignores lines that are not cookies', () => {
    const jar = new CookieJar('=x; ;novalue');
    jar.store(['', '=nameless', '; Path=/']);
    expect(jar.header()).toBeUndefined();
  });
});
