import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from './handshake';

// sun_path holds 108 bytes on Linux and 104 on macOS, terminator included.
const LONGEST_SOCKET_PATH = 103;

export interface SocketLocation {
  directory: string;
  path: string;
  /** Removes the socket and its private directory; safe to call more than once. */
  remove(): void;
}

/**
 * A unix socket inside a fresh private directory (mkdtemp gives mode 0700), so no other user
 * can connect, and several provider processes never collide. go-plugin honours
 * PLUGIN_UNIX_SOCKET_DIR for where that directory goes; so do we.
 */
export function createSocketLocation(env: Environment): SocketLocation {
  const parent = env.PLUGIN_UNIX_SOCKET_DIR || tmpdir();
  const directory = mkdtempSync(join(parent, 'tfprov-'));
  const path = join(directory, 'plugin.sock');
  if (Buffer.byteLength(path) > LONGEST_SOCKET_PATH) {
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`unix socket path ${path} is longer than ${LONGEST_SOCKET_PATH} bytes; set PLUGIN_UNIX_SOCKET_DIR or TMPDIR to a shorter directory`);
  }
  return { directory, path, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
