/**
 * The baseline for every benchmark case: a bare node:http server that answers every request with
 * one fixed status and JSON body (what the control plane answered for the same request), so the
 * ratio shows what the control plane's own work costs on top of HTTP and JSON.
 * Run as a child process: BASELINE_STATUS, BASELINE_BODY in the environment; prints its URL.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const status = Number(process.env.BASELINE_STATUS ?? '200');
const body = process.env.BASELINE_BODY ?? '{}';

const server = createServer((request, response) => {
  // Read the request body like the control plane must, then answer the same bytes.
  request.resume();
  request.on('end', () => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
