/**
 * `?` and `@name` become `$n` for PostgreSQL, and nothing else does (storage/postgres/parameters.ts).
 * The end-to-end half (the rewritten text accepted by a real server) is in postgres-database.test.ts.
 */
import fc from 'fast-check';
import { bindParameters, compileStatement } from '../../../../control-plane/src/storage/postgres/parameters';

/** A piece of SQL the rewriter must leave exactly as it is. */
const opaqueCharacters = fc.constantFrom('?', '@', '@a', 'x', '$', '$1', "'", '"', '-', '--', '/', '*', ':', '::', ' ', '\n', '\\', 'E');
const opaqueText = fc.string({ unit: opaqueCharacters, maxLength: 12 });

const stringLiteral = opaqueText.map((content) => `'${content.replace(/'/g, "''")}'`);
const escapeStringLiteral = opaqueText.map((content) => `E'${content.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
const quotedIdentifier = opaqueText.map((content) => `"${content.replace(/"/g, '""')}"`);
const lineComment = opaqueText.map((content) => `--${content.replace(/\n/g, ' ')}\n`);
const blockComment = opaqueText
  .filter((content) => !content.includes('*/') && !content.includes('/*') && !content.endsWith('/') && !content.startsWith('*'))
  .map((content) => `/*${content}*/`);
const dollarQuoted = fc
  .tuple(fc.constantFrom('', 'q', 'body_1'), opaqueText)
  .filter(([tag, content]) => `${content}$${tag}$`.indexOf(`$${tag}$`) === content.length && !`$${tag}$${content}`.startsWith(`$${tag}$$`))
  .map(([tag, content]) => `$${tag}$${content}$${tag}$`);
const cast = fc.constantFrom('::bigint', '::text', '::int8[]');
const word = fc.constantFrom('SELECT', 'col_1', 'FROM', 't', '=', '(', ')', ',', '||', '@>', '<@', '@@', '1');

const opaque = fc.oneof(stringLiteral, escapeStringLiteral, quotedIdentifier, lineComment, blockComment, dollarQuoted, cast, word);

type Piece = { readonly kind: 'opaque'; readonly text: string } | { readonly kind: 'parameter'; readonly name: string };

const positionalPieces = fc.array(
  fc.oneof(
    opaque.map((text): Piece => ({ kind: 'opaque', text })),
    fc.constant<Piece>({ kind: 'parameter', name: '' }),
  ),
  {
    maxLength: 20,
  },
);
const namedPieces = fc.array(
  fc.oneof(
    opaque.map((text): Piece => ({ kind: 'opaque', text })),
    fc.constantFrom('id', 'now', 'name_2').map((name): Piece => ({ kind: 'parameter', name })),
  ),
  { maxLength: 20 },
);

describe('parameter rewriting', () => {
  test('every ? becomes the next $n, and nothing inside strings, identifiers, comments, dollar quotes or casts changes', () => {
    fc.assert(
      fc.property(positionalPieces, (pieces) => {
        let count = 0;
        const expected = pieces.map((piece) => (piece.kind === 'opaque' ? piece.text : `$${(count += 1)}`)).join(' ');
        const compiled = compileStatement(pieces.map((piece) => (piece.kind === 'opaque' ? piece.text : '?')).join(' '));
        expect(compiled.text).toBe(expected);
        expect(compiled.positional).toBe(count);
        expect(compiled.names).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  test('each @name becomes one $n however often it is used, numbered by first use', () => {
    fc.assert(
      fc.property(namedPieces, (pieces) => {
        const order: string[] = [];
        const expected = pieces
          .map((piece) => {
            if (piece.kind === 'opaque') return piece.text;
            if (!order.includes(piece.name)) order.push(piece.name);
            return `$${order.indexOf(piece.name) + 1}`;
          })
          .join(' ');
        const compiled = compileStatement(pieces.map((piece) => (piece.kind === 'opaque' ? piece.text : `@${piece.name}`)).join(' '));
        expect(compiled.text).toBe(expected);
        expect(compiled.names).toEqual(order);
      }),
      { numRuns: 500 },
    );
  });

  test('examples: casts after parameters, nested comments, operators made of @, E-strings', () => {
    expect(compileStatement('SELECT ?::bigint, ?::text').text).toBe('SELECT $1::bigint, $2::text');
    expect(compileStatement('SELECT @at::bigint WHERE a @> b AND c <@d AND e @@f').text).toBe('SELECT $1::bigint WHERE a @> b AND c <@d AND e @@f');
    expect(compileStatement('SELECT /* a /* nested ? */ still ? comment */ ?').text).toBe('SELECT /* a /* nested ? */ still ? comment */ $1');
    expect(compileStatement("SELECT E'it\\'s ?', ?").text).toBe("SELECT E'it\\'s ?', $1");
    expect(compileStatement("SELECT 'it''s ?', ?").text).toBe("SELECT 'it''s ?', $1");
    expect(compileStatement('SELECT "col?" FROM t WHERE x = @x AND y = @x').text).toBe('SELECT "col?" FROM t WHERE x = $1 AND y = $1');
    expect(compileStatement('  -- why\n  insert into t values (?)').firstKeyword).toBe('INSERT');
  });

  test('mistakes are refused with a message that names them', () => {
    expect(() => compileStatement('SELECT ? WHERE a = @a')).toThrow(/either \? or @name/);
    expect(() => compileStatement('SELECT $1')).toThrow(/not \$n/);
    expect(() => compileStatement("SELECT 'open")).toThrow(/unterminated string literal/);
    expect(() => compileStatement('SELECT /* open')).toThrow(/unterminated block comment/);
    expect(() => compileStatement('SELECT $$ open')).toThrow(/unterminated dollar-quoted/);
    const named = compileStatement('SELECT @a, @b');
    expect(() => bindParameters(named, { a: 1 }, 'SQL')).toThrow(/missing named parameter @b/);
    expect(() => bindParameters(named, [1, 2], 'SQL')).toThrow(/named parameters \(@a\) but an array/);
    expect(bindParameters(named, { b: 'two', a: 1, unused: null }, 'SQL')).toEqual([1, 'two']);
    const positional = compileStatement('SELECT ?, ?');
    expect(() => bindParameters(positional, [1], 'SQL')).toThrow(/2 \? parameter\(s\) but 1 value/);
    expect(() => bindParameters(positional, undefined, 'SQL')).toThrow(/no values were given/);
    expect(() => bindParameters(positional, { a: 1 }, 'SQL')).toThrow(/named values were given/);
  });
});
