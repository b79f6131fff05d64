/**
 * Provider logs go to stderr only: stdout carries the handshake line and nothing else.
 * Terraform reads stderr line by line and files "[LEVEL] …" lines under that level; they are
 * visible with TF_LOG=debug or TF_LOG_PROVIDER=debug.
 */
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

function write(level: Level, message: string): void {
  // One write per line keeps concurrent log lines from interleaving mid-line.
  process.stderr.write(`[${level}] ${message.replace(/\n/g, '\n    ')}\n`);
}

export const log = {
  debug: (message: string): void => write('DEBUG', message),
  info: (message: string): void => write('INFO', message),
  warn: (message: string): void => write('WARN', message),
  error: (message: string): void => write('ERROR', message),
};
