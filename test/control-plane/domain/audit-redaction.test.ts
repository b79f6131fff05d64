/** What a denied request leaves in the audit log (domain/audit-redaction.ts). */
import fc from 'fast-check';
import { MAX_AUDITED_PATH_LENGTH, auditablePath, percentDecodeFully } from '../../../control-plane/src/domain/audit-redaction';
import { generateSecret } from '@managed-dev/contract';

const percent = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

describe('auditablePath', () => {
  const secret = generateSecret();
  const body = secret.slice(4);

  it.each([
    ['plain', `/v1/keys/${secret}`],
    ['percent-encoded underscore', `/v1/keys/${secret.replace('_', '%5F')}`],
    ['lower-case escape', `/v1/keys/${secret.replace('_', '%5f')}`],
    ['every character encoded', `/v1/keys/${[...secret].map(percent).join('')}`],
    ['encoded twice', `/v1/keys/${secret.replace('_', '%255F')}`],
    ['encoded five times', `/v1/keys/${secret.replace('_', '%252525255F')}`],
    ['every character encoded five times', `/v1/keys/${[...secret].map((c) => percent(c).replace('%', '%25252525')).join('')}`],
    [
      'every other character encoded twelve times',
      `/v1/keys/${[...secret].map((c, i) => (i % 2 ? percent(c).replace('%', `%${'25'.repeat(11)}`) : c)).join('')}`,
    ],
    ['body alone', `/v1/keys/${body}`],
  ])('blanks a secret spelled %s', (_label, path) => {
    const audited = auditablePath(path);
    expect(audited).not.toContain(body);
    expect(audited).not.toContain(body.slice(0, 20));
    expect(audited).toContain('[redacted]');
  });

  it('keeps ordinary paths as they are and cuts long ones to a bounded length', () => {
    expect(auditablePath('/v1/keys/key_0123456789abcdefABCDEF')).toBe('/v1/keys/key_0123456789abcdefABCDEF');
    const long = auditablePath(`/v1/keys/${'a/'.repeat(8000)}`);
    expect(long.length).toBe(MAX_AUDITED_PATH_LENGTH);
    expect(long.endsWith('…')).toBe(true);
  });

  it('leaves stray percent signs alone', () => {
    expect(percentDecodeFully('/a%zz/%E0%A4%A/b%41')).toBe('/a%zz/\u00e0\u00a4%A/bA');
  });

  it('never stores a secret, however its characters are percent-encoded and whatever surrounds it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 50, maxLength: 50 }),
        fc.array(fc.boolean(), { minLength: 50, maxLength: 50 }),
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 40 }),
        (encodeOnce, encodeTwice, before, after) => {
          const key = generateSecret();
          const spelled = [...key].map((c, i) => (encodeOnce[i] ? (encodeTwice[i] ? percent(c).replace('%', '%25') : percent(c)) : c)).join('');
          const audited = auditablePath(`/v1/${encodeURIComponent(before)}/${spelled}/${after}`);
          expect(audited.length).toBeLessThanOrEqual(MAX_AUDITED_PATH_LENGTH);
          expect(audited).not.toContain(key.slice(4, 24));
        },
      ),
      { numRuns: 500 },
    );
  });

  /** `c` percent-encoded `times` times: %XX, then %25XX, %2525XX, … */
  const encodedTimes = (c: string, times: number) => (times === 0 ? c : percent(c).replace('%', `%${'25'.repeat(times - 1)}`));

  it('never stores a secret encoded any number of times, and leaves nothing in the log that decodes further', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 40 }), { minLength: 50, maxLength: 50 }), fc.string({ maxLength: 40 }), (times, after) => {
        const key = generateSecret();
        const spelled = [...key].map((c, i) => encodedTimes(c, times[i]!)).join('');
        const audited = auditablePath(`/v1/keys/${spelled}/${after}`);
        expect(audited.length).toBeLessThanOrEqual(MAX_AUDITED_PATH_LENGTH);
        expect(audited).not.toContain(key.slice(4, 24));
        // Decoded to the end: what is stored is its own decoding (a reader decoding it once more learns nothing).
        const stored = audited.endsWith('…') ? audited.slice(0, -1) : audited;
        expect(percentDecodeFully(stored)).toBe(stored);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes to a fixed point whatever the depth', () => {
    for (const times of [1, 4, 5, 6, 100, 400]) expect(percentDecodeFully(encodedTimes('_', times))).toBe('_');
  });
});
