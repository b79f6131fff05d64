/** One autocannon run, reduced to the numbers the bench prints. */
import autocannon from 'autocannon';

export interface BenchRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface Measurement {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface MeasureOptions {
  /** Requests per second over all connections (a steady probe rather than a flood). */
  readonly overallRate?: number;
}

/**
 * `baseUrl` may list several servers (replicas): autocannon spreads the connections over them
 * round-robin, as a load balancer would; give a number of connections divisible by their count.
 */
export async function measure(
  baseUrl: string | readonly string[],
  request: BenchRequest,
  connections: number,
  durationSeconds: number,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const result = await autocannon({
    ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
    // Connection i goes to url[i % n]; @types/autocannon only knows the single-URL form.
    url: (typeof baseUrl === 'string' ? `${baseUrl}${request.path}` : baseUrl.map((url) => `${url}${request.path}`)) as string,
    method: request.method,
    headers: request.headers ?? {},
    ...(request.body !== undefined ? { body: request.body } : {}),
    connections,
    duration: durationSeconds,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
