// Provider zips must be byte-identical from any machine: entries sorted, one date stored as UTC
// fields whatever TZ says, explicit Unix modes (the executable's 0755 is what Terraform installs).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDeterministicZip } from '../../../scripts/release/deterministic-zip';
import { readZip } from '../../support/zip';

const dir = mkdtempSync(join(tmpdir(), 'managed-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENTRIES = [
  { name: 'terraform-provider-managed_v1.2.3', data: Buffer.from('#!/bin/sh\nexit 0\n'), mode: 0o755 },
  { name: 'provider-bundle.js', data: Buffer.from('module.exports = 1;\n'), mode: 0o644 },
];
const EPOCH = Date.UTC(2026, 11, 1, 14, 49, 30) / 1000;

/** The DOS time and date fields of the first local file header. */
function dosFields(zip: Buffer): { time: number; date: number } {
  return { time: zip.readUInt16LE(10), date: zip.readUInt16LE(12) };
}

it('writes the same bytes whatever the TZ and the order entries are given in', async () => {
  const originalTz = process.env.TZ;
  try {
    process.env.TZ = 'UTC';
    await writeDeterministicZip(join(dir, 'utc.zip'), ENTRIES, EPOCH);
    process.env.TZ = 'Pacific/Chatham';
    await writeDeterministicZip(join(dir, 'chatham.zip'), [...ENTRIES].reverse(), EPOCH);
  } finally {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  }
  const utc = readFileSync(join(dir, 'utc.zip'));
  expect(readFileSync(join(dir, 'chatham.zip')).equals(utc)).toBe(true);
  // 2026-12-01 14:49:30 as DOS fields: ((2026-1980)<<9 | 12<<5 | 1) and (14<<11 | 49<<5 | 30/2).
  expect(dosFields(utc)).toEqual({ date: (46 << 9) | (12 << 5) | 1, time: (14 << 11) | (49 << 5) | 15 });
});

it('stores entries sorted by name with the given modes and contents', async () => {
  await writeDeterministicZip(join(dir, 'modes.zip'), ENTRIES, EPOCH);
  const entries = await readZip(join(dir, 'modes.zip'));
  expect(entries.map(({ name, mode, data }) => [name, mode.toString(8), data.toString('utf8')])).toEqual([
    ['provider-bundle.js', '644', 'module.exports = 1;\n'],
    ['terraform-provider-managed_v1.2.3', '755', '#!/bin/sh\nexit 0\n'],
  ]);
});

it('refuses duplicate names and modes that are not permission bits', async () => {
  await expect(writeDeterministicZip(join(dir, 'dup.zip'), [ENTRIES[0]!, ENTRIES[0]!], EPOCH)).rejects.toThrow('duplicate entry names');
  await expect(writeDeterministicZip(join(dir, 'mode.zip'), [{ ...ENTRIES[0]!, mode: 0o100755 }], EPOCH)).rejects.toThrow('is not permission bits');
});
