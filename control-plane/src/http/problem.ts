/**
 * RFC 9457 problem details. Every error response of the API goes through `sendProblem`, so the
 * shape (type, title, status, detail, instance, code, errors[]) and the content type never vary.
 */
import type { Request, Response } from 'express';
import { ERROR_CODES, problemType } from '@managed-dev/contract';
import { ApiError } from '../domain/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: unknown[];
  [extension: string]: unknown;
}

export function problemDocument(error: ApiError, instance: string): ProblemDocument {
  return {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    detail: error.detail,
    instance,
    code: error.code,
    ...(error.errors ? { errors: error.errors.map((e) => ({ ...e })) } : {}),
    ...error.extensions,
  };
}

/** The request path without the query string: the only part of a 404 that may differ by request. */
export function instanceOf(request: Request): string {
  const url = request.originalUrl ?? request.url;
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}

export function sendProblem(request: Request, response: Response, error: ApiError): void {
  for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
  response.status(error.status);
  response.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  response.send(JSON.stringify(problemDocument(error, instanceOf(request))));
}

/** JSON Schema of a problem body, for the OpenAPI document. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'the request path' },
    code: { enum: [...ERROR_CODES], description: 'the machine-readable reason (docs/guides/errors.md)' },
    required_scope: { type: 'string', description: 'insufficient_scope: the scope the route needs' },
    retry_after: { type: 'integer', description: 'rate_limited: seconds to wait, as in Retry-After' },
    offending_scopes: { type: 'array', items: { type: 'string' }, description: 'scope_escalation: the scopes beyond what the minter may grant' },
    offending_constraint: {
      type: 'array',
      items: { type: 'string' },
      description: 'scope_escalation: JSON pointers to the constraint fields the minting key may not grant',
    },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          pointer: { type: 'string', description: 'JSON pointer into the request body' },
          parameter: { type: 'string', description: 'query parameter name' },
          header: { type: 'string' },
          detail: { type: 'string' },
          suggestion: { type: 'string' },
        },
        required: ['detail'],
      },
    },
  },
} as const;
