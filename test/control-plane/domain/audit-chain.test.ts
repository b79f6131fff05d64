import fc from 'fast-check';
import { AuditEntry, AuditFields, GENESIS_HASH, chainEntry, redactSecrets, verifyChain } from '../../../control-plane/src/domain/audit-chain';

function fields(n: number): AuditFields {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    accountId: 'acct_1',
    actorPrincipalId: n % 3 === 0 ? null : 'prin_1',
    keyId: n % 2 === 0 ? 'key_1' : null,
    action: n % 2 === 0 ? 'key.create' : 'request.denied',
    target: `key_${n}`,
    sourceIp: '127.0.0.1',
    outcome: n % 2 === 0 ? 'success' : 'denied',
    detail: n % 2 === 0 ? null : 'insufficient_scope',
  };
}

function buildChain(length: number): AuditEntry[] {
  const chain: AuditEntry[] = [];
  for (let i = 0; i < length; i++) chain.push(chainEntry(chain[i - 1] ?? null, `aud_${i + 1}`, fields(i)));
  return chain;
}

describe('audit chain', () => {
  it('links each entry to the previous one and verifies an untouched chain', () => {
    const chain = buildChain(5);
    expect(chain[0]!.previousHash).toBe(GENESIS_HASH);
    expect(chain[3]!.previousHash).toBe(chain[2]!.hash);
    expect(chain.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(verifyChain(chain)).toEqual({ ok: true, checked: 5, lastHash: chain[4]!.hash });
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, lastHash: GENESIS_HASH });
  });

  it('never stores anything shaped like a secret', () => {
    const secret = 'mdk_' + 'A1b2C3d4E5'.repeat(4) + 'zzzzzz';
    const entry = chainEntry(null, 'aud_1', { ...fields(1), target: `/v1/x/${secret}`, detail: `token ${secret}` });
    expect(JSON.stringify(entry)).not.toContain(secret);
    expect(entry.detail).toBe('token mdk_[redacted]');
    expect(redactSecrets('no secret here')).toBe('no secret here');
  });

  it('names the entry whose contents were edited', () => {
    const chain = buildChain(6);
    const edited = chain.map((e, i) => (i === 3 ? { ...e, outcome: 'success' === e.outcome ? 'denied' : 'success' } : e));
    const verdict = verifyChain(edited);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.firstBroken.id).toBe('aud_4');
      expect(verdict.checked).toBe(3);
    }
  });

  it('names the entry after a deleted one', () => {
    const chain = buildChain(5);
    const verdict = verifyChain([...chain.slice(0, 2), ...chain.slice(3)]);
    expect(!verdict.ok && verdict.firstBroken.id).toBe('aud_4');
  });

  it('detects any single edit of any field of any entry (property)', () => {
    const editable: Array<keyof AuditEntry> = [
      'id',
      'sequence',
      'time',
      'accountId',
      'actorPrincipalId',
      'keyId',
      'action',
      'target',
      'sourceIp',
      'outcome',
      'detail',
      'previousHash',
      'hash',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.constantFrom(...editable),
        fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        (length, pick, field, replacement) => {
          const chain = buildChain(length);
          const index = pick % length;
          const original = chain[index]!;
          fc.pre(replacement !== original[field]);
          const tampered = chain.map((e, i) => (i === index ? ({ ...e, [field]: replacement } as AuditEntry) : e));
          const verdict = verifyChain(tampered);
          expect(verdict.ok).toBe(false);
          // Every field is covered by the row's own hash, so the edited row itself is the one named:
          // exactly `index` entries before it verified.
          if (!verdict.ok) expect(verdict.checked).toBe(index);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
