/** Single requests a bench case makes while preparing (not measured). */
import type { BenchRequest } from './measure';
import type { ControlPlaneProcess } from './processes';

export async function send(controlPlane: ControlPlaneProcess, request: BenchRequest): Promise<{ status: number; body: string }> {
  const response = await fetch(`${controlPlane.url}${request.path}`, {
    method: request.method,
    headers: request.headers ?? {},
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  return { status: response.status, body: await response.text() };
}

/** POSTs `body` with the owner key and returns the created record; anything but 201 throws. */
export async function createAsOwner(controlPlane: ControlPlaneProcess, path: string, body: Record<string, unknown>): Promise<any> {
  const response = await send(controlPlane, {
    method: 'POST',
    path,
    headers: { authorization: `Bearer ${controlPlane.ownerKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${response.body}`);
  return JSON.parse(response.body);
}
