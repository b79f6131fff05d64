import { Constraint } from '../../cdktf-bindings';

describe('Constraint', () => {
  it('builds exactly one constraint key per helper', () => {
    expect(Constraint.team('team_1')).toEqual({ teamId: 'team_1' });
    expect(Constraint.project('proj_1')).toEqual({ projectId: 'proj_1' });
    expect(Constraint.site('site_1')).toEqual({ siteId: 'site_1' });
  });
});
