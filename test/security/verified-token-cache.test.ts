import { VerifiedTokenCache } from '../../src/application/policies/auth/verified-token-cache';

describe('VerifiedTokenCache', () => {
  let now = 1_000_000;
  const clock = (): number => now;

  it('returns a verified token until it expires, then forgets it', () => {
    const cache = new VerifiedTokenCache<string>(10, clock);
    cache.set('token', 'principal', now + 1000);
    expect(cache.get('token')).toBe('principal');
    now += 999;
    expect(cache.get('token')).toBe('principal');
    now += 1;
    expect(cache.get('token')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never stores a token that has already expired', () => {
    const cache = new VerifiedTokenCache<string>(10, clock);
    cache.set('late', 'principal', now);
    expect(cache.get('late')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stays within its bound, evicting the oldest entry', () => {
    const cache = new VerifiedTokenCache<number>(3, clock);
    for (let i = 0; i < 5; i++) cache.set(`t${i}`, i, now + 1000);
    expect(cache.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => cache.get(`t${i}`))).toEqual([undefined, undefined, 2, 3, 4]);
  });
});
