/**
 * A path into a resource's value, as Terraform's AttributePath: it lets a diagnostic point at
 * the configuration line of the attribute (or element) at fault.
 *
 *   AttributePath.root('ip_allowlist').index(2)      -> ip_allowlist[2]
 *   AttributePath.root('tags').key('team')           -> tags["team"]
 *   AttributePath.root('settings').attribute('ttl')  -> settings.ttl
 *
 * Set elements have no address in the protocol; point at the set attribute itself.
 */
export type PathStep = { attribute: string } | { key: string } | { index: number };

export class AttributePath {
  private constructor(readonly steps: readonly PathStep[]) {}

  static root(attributeName: string): AttributePath {
    return new AttributePath([{ attribute: attributeName }]);
  }

  attribute(name: string): AttributePath {
    return new AttributePath([...this.steps, { attribute: name }]);
  }

  key(mapKey: string): AttributePath {
    return new AttributePath([...this.steps, { key: mapKey }]);
  }

  index(listIndex: number): AttributePath {
    if (!Number.isInteger(listIndex) || listIndex < 0) throw new Error(`list index must be a non-negative integer, got ${listIndex}`);
    return new AttributePath([...this.steps, { index: listIndex }]);
  }

  /** The attribute name of the first step: which top-level attribute this path is under. */
  get rootAttribute(): string {
    const first = this.steps[0];
    return 'attribute' in first ? first.attribute : '';
  }

  toString(): string {
    return this.steps
      .map((step, position) => {
        if ('attribute' in step) return position === 0 ? step.attribute : `.${step.attribute}`;
        if ('key' in step) return `[${JSON.stringify(step.key)}]`;
        return `[${step.index}]`;
      })
      .join('');
  }
}

/** Shorthand: `attributePath('ip_allowlist', 2)`; strings after the first are attribute names, numbers list indexes. */
export function attributePath(first: string, ...rest: (string | number)[]): AttributePath {
  return rest.reduce<AttributePath>((path, step) => (typeof step === 'number' ? path.index(step) : path.attribute(step)), AttributePath.root(first));
}
