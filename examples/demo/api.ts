/**
 * A minimal client for the managed.dev HTTP API (docs/guides/api.md#authorization-one-decision), used by the demo and the end-to-end
 * test to seed data and to exercise a minted key. It returns every answer, error or not, because
 * showing 403 and 404 is the point.
 */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body, or null for an empty body. */
  readonly body: any;
}

export class ManagedApi {
  constructor(
    readonly endpoint: string,
    private readonly token: string,
  ) {}

  /** The same endpoint with another key. */
  as(token: string): ManagedApi {
    return new ManagedApi(this.endpoint, token);
  }

  async request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const response = await fetch(new URL(`/v1${path}`, this.endpoint), {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
      }
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** Like request, but throws (with the problem body) unless the status is `expected`. */
  async expect(expected: number, method: string, path: string, body?: unknown): Promise<any> {
    const response = await this.request(method, path, body);
    if (response.status !== expected) {
      throw new Error(`${method} /v1${path} answered ${response.status}, expected ${expected}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }
}
