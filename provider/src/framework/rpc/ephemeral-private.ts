/**
 * An ephemeral resource's private state on the wire: the provider's JSON value as UTF-8 bytes
 * (Terraform stores it opaquely between Open, Renew and Close; it never reaches state or plan).
 */
export function privateToWire(value: unknown): Buffer | undefined {
  return value === undefined ? undefined : Buffer.from(JSON.stringify(value), 'utf8');
}

export function privateFromWire(bytes: Uint8Array | null | undefined): unknown {
  if (!bytes || bytes.length === 0) return undefined;
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
}

/** google.protobuf.Timestamp for a Date. */
export function timestampToWire(at: Date): { seconds: number; nanos: number } {
  const milliseconds = at.getTime();
  const seconds = Math.floor(milliseconds / 1000);
  return { seconds, nanos: (milliseconds - seconds * 1000) * 1_000_000 };
}
