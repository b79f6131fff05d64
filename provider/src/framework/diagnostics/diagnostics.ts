import type { AttributePath } from './attribute-path';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  summary: string;
  detail?: string;
  /** Where in the configuration the problem is; Terraform then quotes that line. */
  path?: AttributePath;
}

/**
 * Collects the diagnostics of one RPC. Resource code adds to it instead of throwing, so one
 * call can report every problem at once; `hasErrors` tells the framework to stop.
 */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  error(summary: string, detail?: string, path?: AttributePath): this {
    this.items.push({ severity: 'error', summary, detail, path });
    return this;
  }

  warning(summary: string, detail?: string, path?: AttributePath): this {
    this.items.push({ severity: 'warning', summary, detail, path });
    return this;
  }

  add(...diagnostics: Diagnostic[]): this {
    this.items.push(...diagnostics);
    return this;
  }

  hasErrors(): boolean {
    return this.items.some((diagnostic) => diagnostic.severity === 'error');
  }
}

/** Thrown by resource code to stop an operation with one diagnostic (optionally on a path). */
export class DiagnosticError extends Error {
  constructor(
    readonly summary: string,
    readonly detail?: string,
    readonly path?: AttributePath,
  ) {
    super(detail ? `${summary}: ${detail}` : summary);
    this.name = 'DiagnosticError';
  }
}
