/**
 * Where a key may reach: exactly one of a team, a project or a site (docs/guides/api.md#keys). Each variant
 * forbids the other two keys, so writing two constraints is a compile error, not only a
 * synth-time one.
 */
export type ApiKeyConstraint =
  | { readonly teamId: string; readonly projectId?: never; readonly siteId?: never }
  | { readonly projectId: string; readonly teamId?: never; readonly siteId?: never }
  | { readonly siteId: string; readonly teamId?: never; readonly projectId?: never };

/** Builds constraints: `Constraint.team(teamId)` reads better than an object literal in a long props block. */
export class Constraint {
  /** The key reaches only this team and its projects and sites. */
  static team(teamId: string): ApiKeyConstraint {
    return { teamId };
  }

  /** The key reaches only this project and its sites. */
  static project(projectId: string): ApiKeyConstraint {
    return { projectId };
  }

  /** The key reaches only this site. */
  static site(siteId: string): ApiKeyConstraint {
    return { siteId };
  }
}
