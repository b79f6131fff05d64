/**
 * NODE_EXTRA_CA_CERTS, applied when the provider first needs it rather than at every launch.
 *
 * WHY: Node 20 reads NODE_EXTRA_CA_CERTS while it starts, before any script runs, and with it
 * parses its ~140 bundled root certificates plus every certificate in the file (~38 ms per
 * launch on the benchmark machine, where the variable names the system bundle). Terraform
 * launches a provider 3–4 times per command, and most launches never make an HTTPS request. So
 * the shell launchers move the variable aside (DEFERRED_EXTRA_CA_CERTS_VARIABLE) before they
 * exec node, and an HTTPS client that starts asks `deferredExtraCaCertificates` for the same
 * trust Node would have given it: the bundled roots plus the file.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { log } from './logger';

export const DEFERRED_EXTRA_CA_CERTS_VARIABLE = 'NODE_PROVIDER_EXTRA_CA_CERTS';

/** Shell lines for a launcher, to run before `exec node …`. */
export const DEFER_EXTRA_CA_CERTS_SHELL_LINES: readonly string[] = [
  '# Node reads NODE_EXTRA_CA_CERTS at every start (tens of ms); the provider applies it on its first HTTPS request.',
  `if [ -n "\${NODE_EXTRA_CA_CERTS:-}" ]; then export ${DEFERRED_EXTRA_CA_CERTS_VARIABLE}="$NODE_EXTRA_CA_CERTS"; unset NODE_EXTRA_CA_CERTS; fi`,
];

/**
 * The `ca` option for an HTTPS agent when a launcher deferred NODE_EXTRA_CA_CERTS, else undefined
 * (Node's default trust, which already includes the file when node read it itself). A file that
 * cannot be read is a warning and the bundled roots stay trusted, as Node itself does.
 */
export function deferredExtraCaCertificates(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const file = env[DEFERRED_EXTRA_CA_CERTS_VARIABLE];
  if (!file) return undefined;
  try {
    return [...rootCertificates, readFileSync(file, 'utf8')];
  } catch (error) {
    log.warn(`ignoring extra CA certificates from NODE_EXTRA_CA_CERTS=${file}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
