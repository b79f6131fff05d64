import fc from 'fast-check';
import { DEFAULT_TTL, MAX_TTL_MS, MIN_TTL_MS, expiryFor, parseTtl } from '@managed-dev/contract';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('parseTtl', () => {
  test.each(['0', '59m', '366d', 'ten days', '', '1', '1w', '-1h', '1.5h', '1 h', ' 1h', '1H', '8761h', '9999999d'])('%p is rejected', (text) => {
    expect(parseTtl(text).ok).toBe(false);
  });
  test.each([
    ['1h', HOUR],
    ['60m', HOUR],
    ['90d', 90 * DAY],
    ['720h', 720 * HOUR],
    ['365d', 365 * DAY],
    ['1d12h', 36 * HOUR],
    ['8760h', 365 * DAY],
  ])('%p is %p ms', (text, ms) => {
    expect(parseTtl(text)).toEqual({ ok: true, milliseconds: ms });
  });
  test('the default is 90 days', () => {
    expect(DEFAULT_TTL).toBe('90d');
    expect(expiryFor(new Date('2030-01-01T00:00:00Z')).toISOString()).toBe('2030-04-01T00:00:00.000Z');
  });
  test('errors say why', () => {
    expect(parseTtl('59m')).toMatchObject({ ok: false, message: expect.stringContaining('minimum of 1h') });
    expect(parseTtl('366d')).toMatchObject({ ok: false, message: expect.stringContaining('maximum of 365d') });
    expect(parseTtl('ten days')).toMatchObject({ ok: false, message: expect.stringContaining('not a duration') });
  });
  test('property: accepted iff within [1h, 365d] for every single-unit duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), fc.constantFrom(['m', 60_000], ['h', HOUR], ['d', DAY] as const), (amount, [unit, ms]) => {
        const result = parseTtl(`${amount}${unit}`);
        const total = amount * (ms as number);
        expect(result.ok).toBe(total >= MIN_TTL_MS && total <= MAX_TTL_MS);
        if (result.ok) expect(result.milliseconds).toBe(total);
      }),
    );
  });
  test('expiryFor throws on an invalid TTL rather than guessing', () => {
    expect(() => expiryFor(new Date(), '0')).toThrow(RangeError);
  });
});

describe('parseTtl for ephemeral keys (5m to 24h)', () => {
  test.each([
    ['5m', 5 * 60_000],
    ['15m', 15 * 60_000],
    ['24h', DAY],
    ['1d', DAY],
  ])('%p is %p ms', (text, ms) => {
    expect(parseTtl(text, 'ephemeral')).toEqual({ ok: true, milliseconds: ms });
  });
  test.each(['4m', '24h1m', '2d', '0m'])('%p is rejected', (text) => {
    expect(parseTtl(text, 'ephemeral').ok).toBe(false);
  });
  test('every 5m–24h lifetime is valid for an ephemeral key, and for an ordinary key only from 1h', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 24 * 60 }), (minutes) => {
        const text = `${minutes}m`;
        expect(parseTtl(text, 'ephemeral').ok).toBe(true);
        expect(parseTtl(text).ok).toBe(minutes >= 60);
      }),
    );
  });
});
