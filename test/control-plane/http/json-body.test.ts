/** Strict request bodies (http/json-body.ts). */
import { ApiError } from '../../../control-plane/src/domain/errors';
import { MAX_BODY_DEPTH, checkJsonContentType, duplicateMembers, parseJsonBody } from '../../../control-plane/src/http/json-body';

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('duplicateMembers', () => {
  it('names every repetition by JSON pointer, escaping ~ and /', () => {
    expect(duplicateMembers('{"a":1,"b":{"c":1,"c":2},"l":[{"x/y":1,"x/y":2}],"~":1,"~":2}')).toEqual(['/b/c', '/l/0/x~1y', '/~0']);
    expect(duplicateMembers('{"a":{"k":1},"b":{"k":1}}')).toEqual([]);
  });
});

describe('parseJsonBody', () => {
  it('refuses invalid UTF-8, malformed JSON, repeated members and nesting beyond the bound', () => {
    expect(refusal(() => parseJsonBody(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))).code).toBe('invalid_encoding');
    expect(refusal(() => parseJsonBody(Buffer.from('{"a":'))).code).toBe('malformed_json');
    expect(refusal(() => parseJsonBody(Buffer.from('{"a":1,"a":1}'))).errors).toEqual([expect.objectContaining({ pointer: '/a' })]);
    const deep = '['.repeat(MAX_BODY_DEPTH + 1) + ']'.repeat(MAX_BODY_DEPTH + 1);
    expect(refusal(() => parseJsonBody(Buffer.from(deep))).status).toBe(400);
    expect(parseJsonBody(Buffer.from('{"name":"caf\u00e9"}'))).toEqual({ name: 'caf\u00e9' });
  });
});

describe('checkJsonContentType', () => {
  it.each(['application/json; charset=utf-8; charset=latin1', 'application/json; charset=latin1', 'text/plain', 'application/json; =x'])(
    'refuses %p with 415',
    (header) => {
      expect(refusal(() => checkJsonContentType(header)).status).toBe(415);
    },
  );
  it.each(['application/json', 'Application/JSON; charset=UTF-8', 'application/json;charset="utf-8"'])('accepts %p', (header) => {
    expect(() => checkJsonContentType(header)).not.toThrow();
  });
});
