/** Per-attribute declarations applied by the framework's plan: defaults, semantic equality, replacement, plan modifiers. */
import { types } from '../../../../provider/src/framework/cty/types';
import { isUnknown, unknown, type ObjectValue } from '../../../../provider/src/framework/cty/values';
import { Diagnostics } from '../../../../provider/src/framework/diagnostics/diagnostics';
import type { ResourceDefinition } from '../../../../provider/src/framework/rpc/definitions';
import { planResourceChange } from '../../../../provider/src/framework/rpc/plan';

const minutes = (text: unknown): number => (typeof text === 'string' ? Number(text.slice(0, -1)) * (text.endsWith('h') ? 60 : 1) : Number.NaN);

const resource: ResourceDefinition<undefined> = {
  schema: {
    attributes: {
      name: { type: types.string, required: true, planModifiers: [({ planned }) => void (planned.name = String(planned.name).trim())] },
      window: {
        type: types.string,
        optional: true,
        computed: true,
        default: '60m',
        requiresReplace: true,
        semanticEquals: (a, b) => minutes(a) === minutes(b),
      },
      id: { type: types.string, computed: true },
    },
  },
  create: () => ({}),
  read: () => null,
  update: () => ({}),
  delete: () => undefined,
};

async function plan(prior: ObjectValue | null, config: ObjectValue) {
  const proposed = { ...config, id: prior ? prior.id! : null, window: config.window ?? prior?.window ?? null };
  return planResourceChange(resource, { prior, proposed, config, client: undefined, diagnostics: new Diagnostics() });
}

it('plans the declared default on create and leaves other computed attributes unknown', async () => {
  const outcome = await plan(null, { name: ' a ', window: null, id: null });
  expect(outcome.planned).toMatchObject({ name: 'a', window: '60m' });
  expect(isUnknown(outcome.planned!.id!)).toBe(true);
});

it('keeps the prior spelling of a semantically equal value, and replaces on a real change', async () => {
  const prior = { name: 'a', window: '60m', id: 'x' };
  const same = await plan(prior, { name: 'a', window: '1h', id: null });
  expect(same.planned!.window).toBe('60m');
  expect(same.requiresReplace).toEqual([]);
  const changed = await plan(prior, { name: 'a', window: '2h', id: null });
  expect(changed.requiresReplace.map(String)).toEqual(['window']);
  const unknownWindow = await plan(prior, { name: 'a', window: unknown, id: null });
  expect(unknownWindow.requiresReplace.map(String)).toEqual(['window']);
});
