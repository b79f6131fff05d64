import { Ttl } from '../../cdktf-bindings';

describe('Ttl', () => {
  it('builds duration strings', () => {
    expect(Ttl.minutes(60)).toBe('60m');
    expect(Ttl.hours(1)).toBe('1h');
    expect(Ttl.days(365)).toBe('365d');
  });

  it('refuses lifetimes the control plane would refuse', () => {
    expect(() => Ttl.minutes(59)).toThrow('ttl "59m" is shorter than the minimum of 1h');
    expect(() => Ttl.days(366)).toThrow('ttl "366d" is longer than the maximum of 365d');
    expect(() => Ttl.hours(0)).toThrow('a TTL needs a positive whole number, got 0');
    expect(() => Ttl.days(1.5)).toThrow('a TTL needs a positive whole number, got 1.5');
    expect(() => Ttl.days(Number.NaN)).toThrow('a TTL needs a positive whole number, got NaN');
  });
});
