import { decodeJsonValue } from '../cty/json';
import { decodeMsgpack, encodeMsgpack } from '../cty/msgpack';
import type { CtyType } from '../cty/types';
import type { ObjectValue, Value } from '../cty/values';
import type { AttributePath } from '../diagnostics/attribute-path';
import type { Diagnostic } from '../diagnostics/diagnostics';

/** Conversions between decoded protobuf message objects and framework values. */

export interface WireDynamicValue {
  msgpack?: Buffer | Uint8Array | null;
  json?: Buffer | Uint8Array | null;
}

/** Terraform sends msgpack; json is accepted too; both empty means null. */
export function readDynamicValue(type: CtyType, wire: WireDynamicValue | null | undefined): Value {
  if (wire?.msgpack && wire.msgpack.length > 0) return decodeMsgpack(type, wire.msgpack);
  if (wire?.json && wire.json.length > 0) return decodeJsonValue(type, Buffer.from(wire.json).toString('utf8'));
  return null;
}

export function readObject(type: CtyType, wire: WireDynamicValue | null | undefined): ObjectValue | null {
  return readDynamicValue(type, wire) as ObjectValue | null;
}

export function writeDynamicValue(type: CtyType, value: Value): { msgpack: Buffer } {
  return { msgpack: Buffer.from(encodeMsgpack(type, value)) };
}

export function attributePathToWire(path: AttributePath): object {
  return {
    steps: path.steps.map((step) => {
      if ('attribute' in step) return { attribute_name: step.attribute };
      if ('key' in step) return { element_key_string: step.key };
      return { element_key_int: step.index };
    }),
  };
}

export function diagnosticsToWire(diagnostics: readonly Diagnostic[]): object[] {
  return diagnostics.map((diagnostic) => ({
    severity: diagnostic.severity === 'error' ? 1 : 2,
    summary: diagnostic.summary,
    detail: diagnostic.detail ?? '',
    ...(diagnostic.path ? { attribute: attributePathToWire(diagnostic.path) } : {}),
  }));
}
