/**
 * Structured request logs: one JSON line per request through pino, written when the response
 * ends, with a request id (also sent back as `X-Request-Id`), method, route template, path,
 * status, duration and the id of the key that authenticated it.
 *
 * What never reaches the log: headers (Authorization carries the secret), the query string, the
 * body, and anything in the path that looks like a secret (a key pasted into a URL by mistake).
 * The pipeline reports the route and key id through `noteRequest`, so this module needs nothing
 * from the request but its method and path. See docs/guides/configuration.md for LOG_LEVEL.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener } from 'node:http';
import pino, { DestinationStream, Logger } from 'pino';
import type { LogLevel } from '../config';
import { auditablePath } from '../domain/audit-redaction';

export type { Logger };

/** Where a line goes; default stdout. Tests pass a collector. */
export type LogDestination = DestinationStream;

/**
 * Lines to stdout go through a buffered, asynchronous destination: a synchronous write per
 * request cost about a third of the hot GET path's throughput (README, "Request logs"). The
 * buffer is flushed when the server closes; a crash may lose the last few kilobytes of lines.
 */
export function createLogger(level: LogLevel, destination?: LogDestination): Logger {
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }));
}

interface RequestFacts {
  route?: string;
  keyId?: string;
}

const factsByRequest = new WeakMap<IncomingMessage, RequestFacts>();

/** Called by the pipeline once it knows them: the matched route template, the authenticated key. */
export function noteRequest(request: IncomingMessage, facts: RequestFacts): void {
  const known = factsByRequest.get(request);
  if (known) Object.assign(known, facts);
  else factsByRequest.set(request, { ...facts });
}

/**
 * The path as the audit log keeps it (decoded to the end, secret shapes blanked, bounded): a secret
 * pasted into a URL, plainly or percent-encoded any number of times, must not reach the log.
 */
function loggablePath(url: string | undefined): string {
  const raw = url ?? '';
  const queryStart = raw.indexOf('?');
  return auditablePath(queryStart === -1 ? raw : raw.slice(0, queryStart));
}

export function withRequestLog(listener: RequestListener, logger: Logger): RequestListener {
  if (!logger.isLevelEnabled('info')) return listener;
  return (request, response) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    response.setHeader('X-Request-Id', requestId);
    response.once('close', () => {
      const facts = factsByRequest.get(request);
      logger.info(
        {
          req_id: requestId,
          method: request.method,
          route: facts?.route ?? null,
          path: loggablePath(request.url),
          status: response.statusCode,
          duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
          key_id: facts?.keyId ?? null,
          // Closed before the response finished: the client went away, or a shutdown cut it off.
          ...(response.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
    listener(request, response);
  };
}
