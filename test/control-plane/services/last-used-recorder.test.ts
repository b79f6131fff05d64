import { LastUsedRecorder } from '../../../control-plane/src/services/last-used-recorder';

function recorder() {
  const written: Array<{ keyId: string; at: number; ip: string }> = [];
  const batches: number[] = [];
  const r = new LastUsedRecorder({
    writeLastUsed: async (records) => {
      written.push(...records);
      batches.push(records.length);
    },
  });
  return { r, written, batches };
}

describe('LastUsedRecorder', () => {
  it('writes nothing synchronously and batches the first use of each key', async () => {
    const { r, written, batches } = recorder();
    r.touch('key_a', 1_000, '127.0.0.1');
    r.touch('key_b', 1_000, '::1');
    expect(written).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([
      { keyId: 'key_a', at: 1_000, ip: '127.0.0.1' },
      { keyId: 'key_b', at: 1_000, ip: '::1' },
    ]);
    expect(batches).toEqual([2]);
    expect(r.writes).toBe(2);
  });

  it('writes a key at most once a minute', async () => {
    const { r, written } = recorder();
    for (let t = 0; t < 1_000; t++) r.touch('key_a', 5_000 + t * 50, '127.0.0.1'); // 50 s of traffic
    await r.flush();
    expect(written.map((w) => w.at)).toEqual([5_000]);
    r.touch('key_a', 5_000 + 60_000, '10.0.0.1');
    await r.flush();
    expect(written.map((w) => w.at)).toEqual([5_000, 65_000]);
    expect(written[1]!.ip).toBe('10.0.0.1');
  });

  it('retries on the next request when a write fails', async () => {
    let fail = true;
    const seen: string[] = [];
    const errors: unknown[] = [];
    const r = new LastUsedRecorder(
      {
        writeLastUsed: async (records) => {
          if (fail) throw new Error('disk full');
          seen.push(...records.map((x) => x.keyId));
        },
      },
      60_000,
      (error) => errors.push(error),
    );
    r.touch('key_a', 0, '127.0.0.1');
    await r.flush();
    expect(errors).toHaveLength(1);
    fail = false;
    r.touch('key_a', 10, '127.0.0.1');
    await r.flush();
    expect(seen).toEqual(['key_a']);
  });
});
