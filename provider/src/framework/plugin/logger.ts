/**
 * Provider logs go to stderr only: stdout carries the handshake line and nothing else.
 * Terraform reads stderr line by line and files "[LEVEL] …" lines under that level; they are
 * visible with TF_LOG=debug or TF_LOG_PROVIDER=debug.
 */
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const RANK: Record<string, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/**
 * The lowest level worth writing, read the way Go providers read it (terraform-plugin-log):
 * TF_LOG_PROVIDER, else TF_LOG. Terraform drops lines below its own level anyway, so writing
 * every debug line unconditionally only burns provider CPU on every RPC of a large plan.
 */
function thresholdFrom(env: NodeJS.ProcessEnv): number {
  const setting = (env.TF_LOG_PROVIDER || env.TF_LOG || '').toUpperCase();
  if (setting === 'JSON') return RANK.TRACE!;
  return RANK[setting] ?? RANK.INFO!;
}

const threshold = thresholdFrom(process.env);

function write(level: Level, message: string): void {
  if (RANK[level]! < threshold) return;
  // One write per line keeps concurrent log lines from interleaving mid-line.
  process.stderr.write(`[${level}] ${message.replace(/\n/g, '\n    ')}\n`);
}

export const log = {
  debug: (message: string): void => write('DEBUG', message),
  info: (message: string): void => write('INFO', message),
  warn: (message: string): void => write('WARN', message),
  error: (message: string): void => write('ERROR', message),
};
