import fc from 'fast-check';
import { MAX_ALLOWLIST_ENTRIES, checkAllowlist, isAllowed, parseCidr } from '@managed-dev/contract';

describe('parseCidr', () => {
  test.each(['10.0.0.0/8', '203.0.113.7/32', '0.0.0.0/0', '2001:db8::/32', '::1/128', '::/0', 'fe80::/10'])('%p is canonical', (text) => {
    expect(parseCidr(text)).toMatchObject({ ok: true, canonical: text });
  });
  test.each([
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:0db8:0000::/32', '2001:db8::/32'],
    ['192.168.1.1', '192.168.1.1/32'],
    ['::1', '::1/128'],
  ])('%p is refused, suggesting %p', (text, suggestion) => {
    expect(parseCidr(text)).toMatchObject({ ok: false, suggestion });
  });
  test.each(['10.0.0.0/33', '::/129', 'nonsense/8', '010.0.0.0/8', '0x0a.0.0.0/8', '10.0/16', '', '/8', '10.0.0.0/-1', '10.0.0.0/08x'])(
    '%p is refused',
    (text) => {
      expect(parseCidr(text).ok).toBe(false);
    },
  );
  test('property: every IPv4 address with a prefix either is canonical or is refused with a canonical suggestion', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const result = parseCidr(`${address}/${prefix}`);
        if (result.ok) {
          expect(result.canonical).toBe(`${address}/${prefix}`);
        } else {
          expect(result.suggestion).toBeDefined();
          expect(parseCidr(result.suggestion!)).toMatchObject({ ok: true, canonical: result.suggestion });
        }
      }),
    );
  });
  test('property: canonical IPv6 suggestions are themselves canonical and contain the address', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (address, prefix) => {
        // Peers written with an embedded IPv4 part are treated as IPv4 (see the mapped-address test).
        fc.pre(!address.includes('.'));
        const result = parseCidr(`${address}/${prefix}`);
        const canonical = result.ok ? result.canonical : result.suggestion!;
        expect(parseCidr(canonical)).toMatchObject({ ok: true, canonical });
        expect(isAllowed(address, [canonical])).toBe(true);
      }),
    );
  });
});

describe('checkAllowlist', () => {
  test('points at each bad entry', () => {
    expect(checkAllowlist(['10.0.0.0/8', 'x', '10.1.0.0/8']).map((p) => p.index)).toEqual([1, 2]);
  });
  test(`at most ${MAX_ALLOWLIST_ENTRIES} entries`, () => {
    const entries = Array.from({ length: MAX_ALLOWLIST_ENTRIES + 1 }, (_, i) => `10.0.${i}.0/24`);
    expect(checkAllowlist(entries.slice(0, MAX_ALLOWLIST_ENTRIES))).toEqual([]);
    expect(checkAllowlist(entries)).toEqual([expect.objectContaining({ index: MAX_ALLOWLIST_ENTRIES })]);
  });
});

describe('isAllowed', () => {
  test('an empty or absent allowlist allows everyone', () => {
    expect(isAllowed('10.0.0.1', [])).toBe(true);
    expect(isAllowed('10.0.0.1', null)).toBe(true);
  });
  test('IPv4 ranges', () => {
    expect(isAllowed('127.0.0.1', ['127.0.0.1/32'])).toBe(true);
    expect(isAllowed('127.0.0.1', ['10.0.0.0/8'])).toBe(false);
    expect(isAllowed('10.255.1.1', ['10.0.0.0/8'])).toBe(true);
  });
  test('IPv4-mapped IPv6 peers match IPv4 CIDRs', () => {
    expect(isAllowed('::ffff:127.0.0.1', ['127.0.0.1/32'])).toBe(true);
    expect(isAllowed('::ffff:10.1.1.1', ['127.0.0.1/32'])).toBe(false);
  });
  test('IPv6 loopback and ranges', () => {
    expect(isAllowed('::1', ['::1/128'])).toBe(true);
    expect(isAllowed('::1', ['127.0.0.1/32'])).toBe(false);
    expect(isAllowed('2001:db8::5', ['2001:db8::/32'])).toBe(true);
  });
  test('an unparseable peer is never allowed by a non-empty list', () => {
    expect(isAllowed('not-an-ip', ['0.0.0.0/0'])).toBe(false);
  });
  test('property: 0.0.0.0/0 admits every IPv4 peer and no IPv6-only peer', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(isAllowed(address, ['0.0.0.0/0'])).toBe(true);
      }),
    );
    expect(isAllowed('2001:db8::1', ['0.0.0.0/0'])).toBe(false);
  });
  test('property: a list admits a peer exactly when one of its entries alone admits it, in any order', () => {
    const entry = fc.constantFrom('10.0.0.0/8', '10.1.0.0/16', '127.0.0.1/32', '::1/128', '2001:db8::/32', 'not-a-cidr', '0.0.0.0/0');
    const peer = fc.oneof(fc.ipV4(), fc.constantFrom('10.1.2.3', '127.0.0.1', '::ffff:10.9.9.9', '::1', '2001:db8::7', 'garbage'));
    fc.assert(
      fc.property(peer, fc.array(entry, { maxLength: 5 }), (address, allowlist) => {
        const anyAlone = allowlist.length === 0 || allowlist.some((one) => isAllowed(address, [one]));
        expect(isAllowed(address, allowlist)).toBe(anyAlone);
        expect(isAllowed(address, [...allowlist].reverse())).toBe(anyAlone);
      }),
    );
  });
});

describe('IPv4-mapped IPv6 entries', () => {
  it('are refused with the IPv4 range as the suggestion', () => {
    expect(parseCidr('::ffff:7f00:1/128')).toMatchObject({ ok: false, suggestion: '127.0.0.1/32' });
    expect(parseCidr('::ffff:10.0.0.0/104')).toMatchObject({ ok: false, suggestion: '10.0.0.0/8' });
    expect(checkAllowlist(['::ffff:7f00:1/128'])).toEqual([expect.objectContaining({ index: 0, suggestion: '127.0.0.1/32' })]);
    // Ranges wider than the mapped block hold real IPv6 addresses too, and stay allowed.
    expect(parseCidr('::/64').ok).toBe(true);
  });
});
