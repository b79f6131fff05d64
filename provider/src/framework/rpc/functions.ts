import { typeToJson } from '../cty/types';
import type { Value } from '../cty/values';
import { FunctionError } from '../diagnostics/function-error';
import type { FunctionDefinition, FunctionParameter } from './definitions';
import { readDynamicValue, writeDynamicValue, type WireDynamicValue } from './wire';

/** Provider functions: their tfplugin6 Function messages and CallFunction. */

const textEncoder = new TextEncoder();
const typeBytes = (parameter: { type: FunctionParameter['type'] }): Buffer => Buffer.from(textEncoder.encode(JSON.stringify(typeToJson(parameter.type))));

function parameterToProto(parameter: FunctionParameter): object {
  return {
    name: parameter.name,
    type: typeBytes(parameter),
    allow_null_value: parameter.allowNull ?? false,
    allow_unknown_values: parameter.allowUnknown ?? false,
    description: parameter.description ?? '',
    description_kind: 0,
  };
}

export function functionToProto(definition: FunctionDefinition): object {
  return {
    parameters: definition.parameters.map(parameterToProto),
    ...(definition.variadicParameter ? { variadic_parameter: parameterToProto(definition.variadicParameter) } : {}),
    return: { type: typeBytes({ type: definition.returnType }) },
    summary: definition.summary,
    description: definition.description ?? '',
    description_kind: 0,
    deprecation_message: '',
  };
}

/** Rejects definitions Terraform would refuse (names are identifiers), at start-up. */
export function checkFunctionDefinition(name: string, definition: FunctionDefinition): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`function ${name}: names are lower_snake_case`);
  const names = [...definition.parameters, ...(definition.variadicParameter ? [definition.variadicParameter] : [])].map((parameter) => parameter.name);
  if (new Set(names).size !== names.length) throw new Error(`function ${name}: parameter names must differ`);
}

/**
 * Decodes each argument with its parameter's type (extras with the variadic one), runs the
 * function and encodes the result. Every failure is a FunctionError in the response: a gRPC
 * error would reach the user as an opaque "plugin failed".
 */
export async function callFunction(name: string, definition: FunctionDefinition | undefined, wireArguments: readonly WireDynamicValue[]): Promise<object> {
  if (!definition) return { error: { text: `There is no function named "${name}" in this provider.` } };
  const fixed = definition.parameters.length;
  if (wireArguments.length < fixed || (wireArguments.length > fixed && !definition.variadicParameter)) {
    return { error: { text: `${name} takes ${fixed}${definition.variadicParameter ? ' or more' : ''} argument(s), got ${wireArguments.length}.` } };
  }
  const args: Value[] = wireArguments.map((wire, index) => readDynamicValue((definition.parameters[index] ?? definition.variadicParameter!).type, wire));
  try {
    const result = await definition.run(args);
    return { result: writeDynamicValue(definition.returnType, result) };
  } catch (error) {
    if (error instanceof FunctionError) {
      return { error: { text: error.text, ...(error.argumentIndex !== undefined ? { function_argument: error.argumentIndex } : {}) } };
    }
    return { error: { text: `${name} failed: ${error instanceof Error ? error.message : String(error)}` } };
  }
}
