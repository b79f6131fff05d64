/**
 * The error a provider function reports (tfplugin6 FunctionError): Terraform shows `text` and,
 * with an argument index, points at that argument in the call.
 */
export class FunctionError extends Error {
  constructor(
    readonly text: string,
    /** 0-based index of the offending argument, if one is to blame. */
    readonly argumentIndex?: number,
  ) {
    super(text);
    this.name = 'FunctionError';
  }
}
