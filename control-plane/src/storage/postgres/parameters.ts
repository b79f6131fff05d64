/**
 * Repositories write parameters the way SQLite reads them, positional `?` or named `@name`
 * (storage/sql-database.ts); PostgreSQL only knows `$1`, `$2`, …. This rewrites a statement once
 * (the result is cached by its text) and binds the values of each call to it.
 *
 * The scan follows PostgreSQL's lexer far enough to leave alone every `?` or `@` that is not a
 * parameter: inside '…' and E'…' strings, "quoted identifiers", $tag$ dollar-quoted $tag$ bodies,
 * -- line comments and (nested) block comments. `::` casts pass through untouched (`?::bigint`
 * becomes `$1::bigint`). A named parameter used several times is one `$n`. `@` right after `<` or
 * `@` belongs to an operator (`<@`, `@@`), and `@` not followed by a letter or `_` (`@>`, `@ -5`)
 * is PostgreSQL's own operator too. A `$1` written by hand is refused: it would silently take the
 * place of the first `?`.
 */
import type { SqlParams, SqlValue } from '../sql-database';

export interface CompiledStatement {
  /** The statement with `$n` in place of every parameter. */
  readonly text: string;
  /** How many `?` the statement has (0 when it uses named parameters). */
  readonly positional: number;
  /** The named parameters in `$n` order (`names[0]` is `$1`); empty for positional statements. */
  readonly names: readonly string[];
  /** The first keyword outside comments, upper case (`SELECT`, `INSERT`, `WITH`…), or ''. */
  readonly firstKeyword: string;
}

const IDENTIFIER_START = /[A-Za-z_\u0080-\uffff]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_QUOTE_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const POSITIONAL_DOLLAR = /\$\d/y;

/** Where the string literal that opens at `start` (on its quote) ends: the index after its closing quote. */
function endOfQuoted(sql: string, start: number, quote: "'" | '"', backslashEscapes: boolean): number {
  let index = start + 1;
  while (index < sql.length) {
    const char = sql[index];
    if (backslashEscapes && char === '\\') {
      index += 2;
      continue;
    }
    if (char === quote) {
      if (sql[index + 1] === quote) {
        index += 2; // a doubled quote stands for one quote character
        continue;
      }
      return index + 1;
    }
    index += 1;
  }
  throw new SyntaxError(`unterminated ${quote === "'" ? 'string literal' : 'quoted identifier'} in SQL: ${sql}`);
}

function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let index = start;
  while (index < sql.length) {
    if (sql.startsWith('/*', index)) {
      depth += 1;
      index += 2;
    } else if (sql.startsWith('*/', index)) {
      depth -= 1;
      index += 2;
      if (depth === 0) return index;
    } else {
      index += 1;
    }
  }
  throw new SyntaxError(`unterminated block comment in SQL: ${sql}`);
}

export function compileStatement(sql: string): CompiledStatement {
  let text = '';
  let copiedUpTo = 0;
  let positional = 0;
  const names: string[] = [];
  let firstKeyword = '';
  let index = 0;
  const replace = (from: number, to: number, replacement: string) => {
    text += sql.slice(copiedUpTo, from) + replacement;
    copiedUpTo = to;
  };

  while (index < sql.length) {
    const char = sql[index];
    const next = sql[index + 1];
    if (char === "'") {
      index = endOfQuoted(sql, index, "'", false);
    } else if (char === '"') {
      index = endOfQuoted(sql, index, '"', false);
    } else if (char === '-' && next === '-') {
      const newline = sql.indexOf('\n', index);
      index = newline === -1 ? sql.length : newline + 1;
    } else if (char === '/' && next === '*') {
      index = endOfBlockComment(sql, index);
    } else if (char === ':' && next === ':') {
      index += 2;
    } else if (char === '$') {
      DOLLAR_QUOTE_TAG.lastIndex = index;
      const tag = DOLLAR_QUOTE_TAG.exec(sql);
      if (tag) {
        const close = sql.indexOf(tag[0], index + tag[0].length);
        if (close === -1) throw new SyntaxError(`unterminated dollar-quoted string ${tag[0]} in SQL: ${sql}`);
        index = close + tag[0].length;
        continue;
      }
      POSITIONAL_DOLLAR.lastIndex = index;
      if (POSITIONAL_DOLLAR.test(sql)) {
        throw new SyntaxError(`write parameters as ? or @name, not $n (storage/sql-database.ts): ${sql}`);
      }
      index += 1;
    } else if (char === '?') {
      if (names.length > 0) throw new SyntaxError(`a statement uses either ? or @name parameters, not both: ${sql}`);
      positional += 1;
      replace(index, index + 1, `$${positional}`);
      index += 1;
    } else if (char === '@' && next !== undefined && IDENTIFIER_START.test(next) && !(index > 0 && '<@'.includes(sql[index - 1]))) {
      if (positional > 0) throw new SyntaxError(`a statement uses either ? or @name parameters, not both: ${sql}`);
      let end = index + 1;
      while (end < sql.length && IDENTIFIER_PART.test(sql[end]) && sql[end] !== '$') end += 1;
      const name = sql.slice(index + 1, end);
      let slot = names.indexOf(name);
      if (slot === -1) slot = names.push(name) - 1;
      replace(index, end, `$${slot + 1}`);
      index = end;
    } else if (IDENTIFIER_START.test(char)) {
      let end = index + 1;
      while (end < sql.length && IDENTIFIER_PART.test(sql[end])) end += 1;
      const word = sql.slice(index, end);
      if (firstKeyword === '') firstKeyword = word.toUpperCase();
      // E'…' is the one string form in which a backslash escapes the quote.
      if ((word === 'E' || word === 'e') && sql[end] === "'") index = endOfQuoted(sql, end, "'", true);
      else index = end;
    } else {
      index += 1;
    }
  }
  text += sql.slice(copiedUpTo);
  return { text, positional, names, firstKeyword };
}

const MAX_CACHED_STATEMENTS = 2000;
const compiled = new Map<string, CompiledStatement>();

/** compileStatement, remembered: repositories send the same few hundred statement texts over and over. */
export function compiledStatement(sql: string): CompiledStatement {
  let statement = compiled.get(sql);
  if (!statement) {
    statement = compileStatement(sql);
    // Statement texts are constants in the code, so the map only fills if something builds SQL
    // from data; starting over then keeps memory bounded.
    if (compiled.size >= MAX_CACHED_STATEMENTS) compiled.clear();
    compiled.set(sql, statement);
  }
  return statement;
}

/** The values for `$1…$n` of a compiled statement, or a clear error when they do not fit it. */
export function bindParameters(statement: CompiledStatement, params: SqlParams | undefined, sql: string): SqlValue[] {
  if (params === undefined) {
    if (statement.positional > 0 || statement.names.length > 0) throw new TypeError(`the statement has parameters but no values were given: ${sql}`);
    return [];
  }
  if (Array.isArray(params)) {
    if (statement.names.length > 0) throw new TypeError(`the statement uses named parameters (@${statement.names[0]}) but an array was given: ${sql}`);
    if (params.length !== statement.positional) {
      throw new TypeError(`the statement has ${statement.positional} ? parameter(s) but ${params.length} value(s) were given: ${sql}`);
    }
    return params.slice() as SqlValue[];
  }
  if (statement.positional > 0) throw new TypeError(`the statement uses ? parameters but named values were given: ${sql}`);
  const named = params as Readonly<Record<string, SqlValue>>;
  return statement.names.map((name) => {
    const value = Object.prototype.hasOwnProperty.call(named, name) ? named[name] : undefined;
    if (value === undefined) throw new TypeError(`missing named parameter @${name}: ${sql}`);
    return value;
  });
}
