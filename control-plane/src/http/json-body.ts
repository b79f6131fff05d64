/**
 * Request bodies: `application/json` in UTF-8, read as bytes and decoded strictly, so what the
 * handler sees is exactly what was sent (SPEC §4 "bad input always gets a clear error"):
 *
 * - the Content-Type must be `application/json` with at most one parameter `charset`, and it must
 *   name UTF-8 (`charset=utf-8; charset=latin1` is ambiguous, hence 415 rather than a guess);
 * - bytes that are not UTF-8 are 400, never silently replaced by U+FFFD;
 * - an object with the same member twice is 400 pointing at the second one: JSON.parse keeps the
 *   last, another parser the first, so a proxy that checks one and a server that uses the other
 *   would disagree about what was asked for.
 */
import { visit } from 'jsonc-parser';
import { ApiError, badRequest, validationFailed } from '../domain/errors';

export function unsupportedMediaType(detail: string): ApiError {
  return new ApiError({ status: 415, code: 'unsupported_media_type', title: 'Unsupported media type', detail });
}

const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/i;

/** Only JSON bodies are accepted; a body without a content type is refused too, never guessed. */
export function checkJsonContentType(header: string | undefined): void {
  if (header === undefined) throw unsupportedMediaType('Send the body as "Content-Type: application/json".');
  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim());
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(mediaType)) {
    throw unsupportedMediaType(`The Content-Type header "${header}" cannot be parsed; send "application/json".`);
  }
  if (mediaType.toLowerCase() !== 'application/json') {
    throw unsupportedMediaType(`Bodies must be "application/json", not "${mediaType}".`);
  }
  const charsets: string[] = [];
  for (const parameter of parameters) {
    if (parameter === '') continue;
    const match = /^([^=\s]+)\s*=\s*(?:"([^"]*)"|([^";\s]*))$/.exec(parameter);
    if (!match || !TOKEN.test(match[1]!)) throw unsupportedMediaType(`The Content-Type parameter "${parameter}" cannot be parsed.`);
    if (match[1]!.toLowerCase() === 'charset') charsets.push((match[2] ?? match[3] ?? '').toLowerCase());
  }
  if (charsets.length > 1) throw unsupportedMediaType(`The Content-Type names ${charsets.length} charsets; name one, "utf-8".`);
  const charset = charsets[0];
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw unsupportedMediaType(`Bodies must be UTF-8, not "${charset}".`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** No body of this API nests deeper; the scan below recurses, so it must stop well before the stack does. */
export const MAX_BODY_DEPTH = 64;

class TooDeep extends Error {
  constructor(readonly pointer: string) {
    super('too deep');
  }
}

type PathSupplier = () => Array<string | number>;

function pointerOf(path: Array<string | number>): string {
  return path.length === 0 ? '' : ['', ...path].map(escapePointerToken).join('/');
}

/** JSON pointers of every member that repeats an earlier member of the same object. Throws 400 beyond MAX_BODY_DEPTH. */
export function duplicateMembers(text: string): string[] {
  const duplicates: string[] = [];
  const open: Array<Set<string>> = [];
  let depth = 0;
  const enter = (pathSupplier: PathSupplier) => {
    if (++depth > MAX_BODY_DEPTH) throw new TooDeep(pointerOf(pathSupplier()));
  };
  try {
    visit(text, {
      onArrayBegin: (_offset, _length, _line, _column, pathSupplier) => enter(pathSupplier),
      onArrayEnd: () => {
        depth--;
      },
      onObjectBegin: (_offset, _length, _line, _column, pathSupplier) => {
        enter(pathSupplier);
        open.push(new Set());
      },
      onObjectEnd: () => {
        depth--;
        open.pop();
      },
      onObjectProperty: (name, _offset, _length, _line, _column, pathSupplier) => {
        const seen = open[open.length - 1]!;
        if (seen.has(name)) duplicates.push(pointerOf([...pathSupplier(), name]));
        seen.add(name);
      },
    });
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    throw validationFailed([{ pointer: error.pointer, detail: `nests objects and arrays more than ${MAX_BODY_DEPTH} deep` }]);
  }
  return duplicates;
}

/** Decodes and parses a body already checked to be JSON by its Content-Type. */
export function parseJsonBody(bytes: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw badRequest('invalid_encoding', 'Invalid UTF-8', 'The request body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('malformed_json', 'Malformed JSON', 'The request body is not valid JSON (a JSON object is expected).');
  }
  // Only an object or array can repeat a member; scanning is skipped for anything else.
  if (typeof value === 'object' && value !== null) {
    const duplicates = duplicateMembers(text);
    if (duplicates.length > 0) {
      throw validationFailed(duplicates.map((pointer) => ({ pointer, detail: 'this member appears more than once in its object; send it once' })));
    }
  }
  return value;
}
