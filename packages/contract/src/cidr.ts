/**
 * IP allowlists (SPEC §4): IPv4 and IPv6 CIDRs, at most 32 per key. Pure.
 *
 * Entries must be canonical (network address, lower-case, compressed IPv6), because the server
 * stores them exactly as given and Terraform diffs what it reads back against the configuration:
 * silently normalising "10.0.0.1/8" would show a perpetual diff. A non-canonical entry is refused
 * with the canonical form as a suggestion.
 */
import * as ipaddr from 'ipaddr.js';

export const MAX_ALLOWLIST_ENTRIES = 32;

export interface Cidr {
  readonly address: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefixLength: number;
}

export type CidrResult = { ok: true; cidr: Cidr; canonical: string } | { ok: false; message: string; suggestion?: string };

export function parseCidr(text: string): CidrResult {
  if (!text.includes('/')) {
    const hint = ipaddr.isValid(text) ? `${text}/${ipaddr.parse(text).kind() === 'ipv4' ? 32 : 128}` : undefined;
    return { ok: false, message: `"${text}" is not a CIDR: add a prefix length such as /32`, ...(hint ? { suggestion: hint } : {}) };
  }
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let prefixLength: number;
  try {
    [address, prefixLength] = ipaddr.parseCIDR(text);
  } catch {
    return { ok: false, message: `"${text}" is not a valid IPv4 or IPv6 CIDR` };
  }
  // ipaddr accepts odd IPv4 spellings (octal, hex, fewer parts); only the dotted quad is unambiguous.
  if (address.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text.split('/')[0]!)) {
    return { ok: false, message: `"${text}" is not a valid IPv4 CIDR: write four decimal parts` };
  }
  const network = networkAddress(address, prefixLength);
  // Peers arrive unwrapped (parsePeerAddress), so a mapped range could never match: name the IPv4 one.
  if (network instanceof ipaddr.IPv6 && network.isIPv4MappedAddress() && prefixLength >= 96) {
    const ipv4 = `${network.toIPv4Address().toString()}/${prefixLength - 96}`;
    return { ok: false, message: `"${text}" is an IPv4-mapped IPv6 range; IPv4 peers are matched as IPv4, so write "${ipv4}"`, suggestion: ipv4 };
  }
  const canonical = `${network.toString()}/${prefixLength}`;
  if (canonical !== text) {
    return { ok: false, message: `"${text}" is not in canonical form; write "${canonical}"`, suggestion: canonical };
  }
  return { ok: true, cidr: { address, prefixLength }, canonical };
}

function networkAddress(address: ipaddr.IPv4 | ipaddr.IPv6, prefixLength: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = address.toByteArray();
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  }
  return ipaddr.fromByteArray(bytes);
}

export interface AllowlistProblem {
  readonly index: number;
  readonly entry: string;
  readonly message: string;
  readonly suggestion?: string;
}

export function checkAllowlist(entries: readonly string[]): AllowlistProblem[] {
  const problems: AllowlistProblem[] = [];
  entries.forEach((entry, index) => {
    const result = parseCidrCached(entry);
    if (!result.ok) problems.push({ index, entry, message: result.message, ...(result.suggestion ? { suggestion: result.suggestion } : {}) });
  });
  if (entries.length > MAX_ALLOWLIST_ENTRIES) {
    problems.push({ index: MAX_ALLOWLIST_ENTRIES, entry: entries[MAX_ALLOWLIST_ENTRIES]!, message: `at most ${MAX_ALLOWLIST_ENTRIES} entries are allowed` });
  }
  return problems;
}

/** Parses a peer address, unwrapping IPv4-mapped IPv6 ("::ffff:10.0.0.1") so IPv4 CIDRs match it. */
export function parsePeerAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(text)) return null;
  return ipaddr.process(text);
}

// Allowlists are checked on every request, and validated on every mint, with a handful of
// distinct entries; parsing each once keeps both off the hot path's profile. Bounded, because
// entries come from user input; only valid entries (short by nature) are kept, so a stream of
// invalid ones neither grows memory with its length nor evicts the CIDRs in use.
const parsedCidrs = new Map<string, CidrResult & { ok: true }>();
const MAX_PARSED_CIDRS = 10_000;

function parseCidrCached(entry: string): CidrResult {
  const cached = parsedCidrs.get(entry);
  if (cached) return cached;
  const parsed = parseCidr(entry);
  if (parsed.ok) {
    if (parsedCidrs.size >= MAX_PARSED_CIDRS) parsedCidrs.clear();
    parsedCidrs.set(entry, parsed);
  }
  return parsed;
}

// Peers repeat (a CI runner, a proxy); their parsed form is reused, also bounded.
const parsedPeers = new Map<string, ipaddr.IPv4 | ipaddr.IPv6 | null>();

function parsePeerCached(peer: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let address = parsedPeers.get(peer);
  if (address === undefined) {
    address = parsePeerAddress(peer);
    if (parsedPeers.size >= MAX_PARSED_CIDRS) parsedPeers.clear();
    parsedPeers.set(peer, address);
  }
  return address;
}

/**
 * True when the peer is inside one of the CIDRs. An empty or absent allowlist allows everyone.
 * Runs on every request of a key with an allowlist, hence a plain loop (no callback per call).
 */
export function isAllowed(peer: string, allowlist: readonly string[] | null | undefined): boolean {
  if (!allowlist || allowlist.length === 0) return true;
  const address = parsePeerCached(peer);
  if (!address) return false;
  const kind = address.kind();
  for (const entry of allowlist) {
    const parsed = parseCidrCached(entry);
    if (parsed.ok && parsed.cidr.address.kind() === kind && address.match(parsed.cidr.address, parsed.cidr.prefixLength)) return true;
  }
  return false;
}
