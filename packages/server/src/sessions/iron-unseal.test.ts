import * as Iron from '@hapi/iron';
import { sealData } from 'iron-session';
import { describe, expect, it } from 'vitest';
import { ironUnseal } from './iron-unseal.js';

const password = 'p'.repeat(32);

/** What `@hapi/iron` itself makes of `sealed`: the value, or undefined where it throws. */
async function ironsAnswer(sealed: string): Promise<unknown> {
  try {
    return (await Iron.unseal(sealed, { 1: password }, Iron.defaults)) as unknown;
  } catch {
    return undefined;
  }
}

/** An iron-session seal of `value`, without its `~2` suffix: Iron's format. */
async function seal(value: object): Promise<string> {
  return (await sealData(value, { password: { 1: password }, ttl: 60 })).slice(0, -2);
}

function withPart(sealed: string, index: number, value: string): string {
  const parts = sealed.split('*');
  parts[index] = value;
  return parts.join('*');
}

describe('ironUnseal', () => {
  it('opens what @hapi/iron opens and refuses what it refuses', async () => {
    const good = await seal({ id: 'a', data: { nested: [1, 'two', null], ünï: 'cödé' } });
    const [, , , , ciphertext = '', , , mac = ''] = good.split('*');
    const cases = {
      good,
      tamperedCiphertext: withPart(good, 4, `${ciphertext.slice(0, -2)}AA`),
      tamperedMac: withPart(good, 7, `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`),
      shortMac: withPart(good, 7, mac.slice(0, -1)),
      otherMacSalt: withPart(good, 6, 'a'.repeat(64)),
      otherEncryptionSalt: withPart(good, 2, 'a'.repeat(64)),
      otherIv: withPart(good, 3, 'AAAAAAAAAAAAAAAAAAAAAA'),
      otherExpiry: withPart(good, 5, '9999999999999'),
      wrongPrefix: withPart(good, 0, 'Fe26.1'),
      sevenParts: good.split('*').slice(0, 7).join('*'),
      foreignPassword: (await sealData({ a: 1 }, { password: 'f'.repeat(32), ttl: 60 })).slice(
        0,
        -2,
      ),
      protoKey: await seal({ data: JSON.parse('{"__proto__": {"admin": true}}') as object }),
      escapedProtoKey: await seal({ note: '"\\u005f_proto__": is only text' }),
    };
    for (const [name, sealed] of Object.entries(cases)) {
      expect(ironUnseal(sealed, password), name).toEqual(await ironsAnswer(sealed));
    }
    expect(ironUnseal(good, password)).toEqual({
      id: 'a',
      data: { nested: [1, 'two', null], ünï: 'cödé' },
    });
    expect(ironUnseal(cases.protoKey, password)).toBeUndefined();
    expect(ironUnseal(cases.escapedProtoKey, password)).toEqual({
      note: '"\\u005f_proto__": is only text',
    });
  });
});
