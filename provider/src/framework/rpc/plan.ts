import { valuesEqual } from '../cty/equality';
import { Unknown, unknown, type ObjectValue, type Value } from '../cty/values';
import { AttributePath } from '../diagnostics/attribute-path';
import type { Diagnostics } from '../diagnostics/diagnostics';
import type { BlockSchema } from '../schema/schema';
import { applyDefaults, keepSemanticallyEqualPrior } from '../schema/declarations';
import type { ResourceDefinition } from './definitions';

export interface PlanOutcome {
  planned: ObjectValue | null;
  requiresReplace: AttributePath[];
}

/**
 * The provider side of Terraform's plan contract (resource-instance-change-lifecycle):
 * - destroy (proposed null): the plan is null;
 * - create (prior null): declared defaults fill attributes null in config; other computed
 *   attributes null in config become unknown;
 * - update: Terraform's proposal already carries prior values for computed attributes, which
 *   the framework keeps; values semantically equal to the prior keep its spelling; attributes
 *   marked requiresReplace that changed are reported;
 * then each attribute's planModifiers, then the resource's modifyPlan hook may refine the plan.
 */
export async function planResourceChange<Client>(
  resource: ResourceDefinition<Client>,
  request: { prior: ObjectValue | null; proposed: ObjectValue | null; config: ObjectValue | null; client: Client | undefined; diagnostics: Diagnostics },
): Promise<PlanOutcome> {
  if (request.proposed === null) return { planned: null, requiresReplace: [] };
  const planned = request.proposed;
  const requiresReplace: AttributePath[] = [];
  const requireReplacement = (path: AttributePath): void => {
    if (!requiresReplace.some((existing) => existing.toString() === path.toString())) requiresReplace.push(path);
  };
  const config = request.config ?? {};
  if (request.prior === null) {
    applyDefaults(resource.schema, config, planned);
    markComputedNullsUnknown(resource.schema, planned);
  } else {
    keepSemanticallyEqualPrior(resource.schema, request.prior, planned);
    for (const [name, attribute] of Object.entries(resource.schema.attributes)) {
      if (attribute.requiresReplace && !valuesEqual(attribute.type, request.prior[name], planned[name])) {
        requiresReplace.push(AttributePath.root(name));
      }
    }
  }
  for (const [name, attribute] of Object.entries(resource.schema.attributes)) {
    for (const modify of attribute.planModifiers ?? []) modify({ prior: request.prior, config, planned, path: AttributePath.root(name), requireReplacement });
  }
  if (resource.modifyPlan) {
    await resource.modifyPlan({ prior: request.prior, config, planned, diagnostics: request.diagnostics, client: request.client, requireReplacement });
  }
  return { planned, requiresReplace };
}

/**
 * On create the proposal equals the config, so a computed attribute that is null there was not
 * set by the user: it becomes "known after apply". Nested blocks are walked element by element.
 */
export function markComputedNullsUnknown(block: BlockSchema, object: ObjectValue): void {
  for (const [name, attribute] of Object.entries(block.attributes)) {
    if (attribute.computed && (object[name] === null || object[name] === undefined)) object[name] = unknown;
  }
  for (const [name, nested] of Object.entries(block.blocks ?? {})) {
    const value: Value | undefined = object[name];
    if (value === null || value === undefined || typeof value !== 'object' || value instanceof Unknown) continue;
    const elements: Value[] = nested.nesting === 'single' || nested.nesting === 'group' ? [value] : Array.isArray(value) ? value : Object.values(value);
    for (const element of elements) {
      if (element !== null && typeof element === 'object' && !Array.isArray(element) && !(element instanceof Unknown))
        markComputedNullsUnknown(nested.block, element as ObjectValue);
    }
  }
}
