/**
 * A TCP proxy on a random loopback port that can go silent, the way a dead network path does: while
 * frozen it forwards nothing in either direction and closes nothing, so neither side sees an error
 * or an end. Thawing cuts the connections that lived through the freeze (their byte streams have
 * gaps, as after a real outage) and lets new ones through again.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface FreezableTcpProxy {
  readonly port: number;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startFreezableTcpProxy(targetPort: number): Promise<FreezableTcpProxy> {
  let frozen = false;
  const live = new Set<Socket>();
  const cutAtThaw = new Set<Socket>();
  const track = (socket: Socket) => {
    live.add(socket);
    socket.on('close', () => live.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    if (frozen) cutAtThaw.add(client).add(upstream);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (frozen) {
          cutAtThaw.add(from).add(to);
          return; // dropped, as by a dead path
        }
        to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      frozen = true;
      for (const socket of live) cutAtThaw.add(socket);
    },
    thaw: () => {
      frozen = false;
      for (const socket of cutAtThaw) socket.destroy();
      cutAtThaw.clear();
    },
    close: async () => {
      for (const socket of live) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
