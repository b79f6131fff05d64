/**
 * CSPRNG bytes drawn in blocks. Every id and secret needs a few dozen random bytes, and each
 * `randomBytes` call costs several microseconds of fixed overhead whatever its size (a mint asks
 * for three or four), so bytes are drawn from the CSPRNG RANDOM_POOL_BYTES at a time and handed
 * out from that block.
 *
 * Each byte is handed out at most once: `take` copies its bytes out and zeroes them in the pool,
 * and bytes left over when a request does not fit are overwritten by the next draw, never
 * returned. So no two callers ever share randomness, and the pool never holds bytes that were
 * already turned into a secret; what it does hold is up to RANDOM_POOL_BYTES of future output
 * (as Node's own `crypto.randomUUID` keeps a cache of future UUIDs).
 */
import { randomFillSync } from 'node:crypto';

export const RANDOM_POOL_BYTES = 2048;

export class RandomPool {
  private readonly pool: Buffer;
  /** Position of the next unused byte; pool.length when the pool is spent. */
  private offset: number;

  constructor(
    size: number = RANDOM_POOL_BYTES,
    /** Fills a buffer with CSPRNG output (a test can watch or replace it). */
    private readonly fill: (buffer: Buffer) => void = (buffer) => void randomFillSync(buffer),
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`a random pool needs at least one byte, not ${size}`);
    this.pool = Buffer.alloc(size);
    this.offset = size;
  }

  /** `size` bytes nobody else has been or will be given. */
  take(size: number): Buffer {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`cannot take ${size} random bytes`);
    if (size > this.pool.length) {
      const large = Buffer.alloc(size);
      this.fill(large);
      return large;
    }
    if (this.offset + size > this.pool.length) {
      this.fill(this.pool);
      this.offset = 0;
    }
    const end = this.offset + size;
    const bytes = Buffer.from(this.pool.subarray(this.offset, end));
    this.pool.fill(0, this.offset, end);
    this.offset = end;
    return bytes;
  }
}

/** Made on first use, so importing the contract allocates nothing (the dashboard imports it in a browser). */
let shared: RandomPool | undefined;

/** The default random source of ids and secrets: `randomBytes`, drawn through one pool per thread. */
export function pooledRandomBytes(size: number): Buffer {
  shared ??= new RandomPool();
  return shared.take(size);
}
