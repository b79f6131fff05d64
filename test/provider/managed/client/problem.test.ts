import { parseProblem } from '../../../../provider/src/managed/client/problem';

describe('parseProblem', () => {
  it('reads an RFC 9457 body with field errors', () => {
    const body = JSON.stringify({
      type: 'https://managed.dev/problems/validation',
      title: 'Invalid request',
      status: 400,
      detail: 'The request body is invalid.',
      errors: [
        { pointer: '/scopes/1', detail: 'unknown scope "sites:raed"; did you mean "sites:read"?' },
        { pointer: '/ttl', message: 'ttl "400d" is longer than the maximum of 365d' },
        { detail: 'no pointer here' },
        'not an object',
      ],
    });
    const problem = parseProblem(400, 'Bad Request', 'application/problem+json', body);
    expect(problem).toEqual({
      type: 'https://managed.dev/problems/validation',
      title: 'Invalid request',
      status: 400,
      detail: 'The request body is invalid.',
      errors: [
        { pointer: '/scopes/1', detail: 'unknown scope "sites:raed"; did you mean "sites:read"?' },
        { pointer: '/ttl', detail: 'ttl "400d" is longer than the maximum of 365d' },
        { detail: 'no pointer here' },
      ],
    });
  });

  it('keeps the status and a snippet of a body that is not JSON', () => {
    const problem = parseProblem(502, 'Bad Gateway', 'text/html', '<html>upstream down</html>');
    expect(problem).toEqual({ title: 'Bad Gateway', status: 502, detail: '<html>upstream down</html>', errors: [] });
  });

  it('survives malformed JSON and empty bodies', () => {
    expect(parseProblem(500, '', 'application/json', '{oops')).toMatchObject({ title: 'HTTP 500', status: 500, detail: '{oops' });
    expect(parseProblem(503, 'Service Unavailable', undefined, '')).toEqual({ title: 'Service Unavailable', status: 503, errors: [] });
  });
});
