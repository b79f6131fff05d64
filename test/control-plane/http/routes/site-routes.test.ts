/** Site sub-resources keep real state (docs/guides/api.md#domain, docs/guides/api.md#endpoints); credentials are encrypted; exec never runs. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, TestControlPlane } from '../../../support/control-plane';
import { apiClient } from '../../../support/http';
import { mintKey, seedBranch } from '../../../support/resource-tree';

describe('site sub-resources', () => {
  let cp: TestControlPlane;
  beforeEach(async () => {
    cp = await startControlPlane();
  });
  afterEach(() => cp.close());

  test('deploys, domains, env, backups, wp, logs and metrics keep what was written', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const { projectId } = await seedBranch(owner, 'state');
    const wp = await owner.post(`/v1/projects/${projectId}/sites`, {
      json: {
        name: 'blog',
        runtime: 'wordpress',
        wp_plugins: [
          { slug: 'akismet', version: '5.3' },
          { slug: 'jetpack', version: '13.1', active: false },
        ],
      },
    });
    expect(wp.status).toBe(201);
    const site = wp.body.id;
    const deploy = await owner.post(`/v1/sites/${site}/deploys`, { json: { ref: 'v1.2.3', message: 'release' } });
    expect(deploy.status).toBe(201);
    expect((await owner.get(`/v1/sites/${site}/deploys`)).body.items.map((d: { id: string }) => d.id)).toEqual([deploy.body.id]);
    expect((await owner.post(`/v1/sites/${site}/domains`, { json: { hostname: 'blog.example.com' } })).status).toBe(201);
    expect((await owner.post(`/v1/sites/${site}/domains`, { json: { hostname: 'blog.example.com' } })).status).toBe(200);
    expect((await owner.put(`/v1/sites/${site}/env`, { json: { variables: { A: '1', B: 'two' } } })).body.variables).toEqual({ A: '1', B: 'two' });
    expect((await owner.put(`/v1/sites/${site}/env`, { json: { variables: { C: '3' } } })).status).toBe(200);
    expect((await owner.get(`/v1/sites/${site}/env`)).body.variables).toEqual({ C: '3' });
    const backup = await owner.post(`/v1/sites/${site}/backups`);
    expect(backup.status).toBe(201);
    expect(backup.body.size_bytes).toBeGreaterThan(0);
    expect((await owner.get(`/v1/sites/${site}/wp/plugins`)).body.items).toEqual([
      { slug: 'akismet', version: '5.3', active: true },
      { slug: 'jetpack', version: '13.1', active: false },
    ]);
    expect((await owner.post(`/v1/sites/${site}/wp/cache-flush`)).status).toBe(202);
    expect((await owner.delete(`/v1/sites/${site}/domains/blog.example.com`)).status).toBe(204);
    expect((await owner.delete(`/v1/sites/${site}/domains/blog.example.com`)).status).toBe(404);

    const metrics = (await owner.get(`/v1/sites/${site}/metrics`)).body;
    expect(metrics).toMatchObject({ deploys_total: 1, domains_total: 0, env_vars_total: 1, backups_total: 1, cache_flushes_total: 1 });
    const logs = (await owner.get(`/v1/sites/${site}/logs?limit=3`)).body;
    expect(logs.items).toHaveLength(3);
    expect(logs.items[0].message).toContain('site created');
    const rest = (await owner.get(`/v1/sites/${site}/logs?cursor=${logs.next_cursor}`)).body;
    expect(rest.items[0].id).toBeGreaterThan(logs.items[2].id);
    expect(JSON.stringify([logs, rest])).not.toContain('two'); // env values never reach the logs
  });

  test('credentials are encrypted at rest and readable only with credentials:read', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const { siteId } = await seedBranch(owner, 'creds');
    const password = 'Sup3r-s3cret-sftp-password';
    const created = await owner.post(`/v1/sites/${siteId}/credentials`, { json: { name: 'sftp', username: 'deploy', password } });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(password);
    const generated = await owner.post(`/v1/sites/${siteId}/credentials`, { json: { name: 'db', username: 'wp' } });
    expect(generated.status).toBe(201);
    expect((await owner.post(`/v1/sites/${siteId}/credentials`, { json: { name: 'db', username: 'x' } })).status).toBe(409);

    const read = (await owner.get(`/v1/sites/${siteId}/credentials`)).body.items;
    expect(read.find((c: { name: string }) => c.name === 'sftp').password).toBe(password);
    expect(read.find((c: { name: string }) => c.name === 'db').password).toMatch(/^[0-9A-Za-z]{24}$/);

    const writer = await mintKey(owner, { name: 'writer', scopes: ['credentials:write'] });
    const denied = await apiClient(cp.url, writer.secret).get(`/v1/sites/${siteId}/credentials`);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="credentials:read"');

    for (const text of await cp.storedTexts()) expect(text.includes(password)).toBe(false);
  });

  test('exec records a job and runs nothing', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const { siteId } = await seedBranch(owner, 'exec');
    const marker = join(cp.dataDir, 'exec-ran');
    const job = await owner.post(`/v1/sites/${siteId}/exec`, { json: { command: ['touch', marker] } });
    expect(job.status).toBe(202);
    expect(job.body).toMatchObject({ status: 'recorded', command: ['touch', marker], site_id: siteId });
    expect(readdirSync(cp.dataDir)).not.toContain('exec-ran');
    const row = await cp.server.services.db.get('SELECT status, command_json FROM exec_jobs WHERE id = ?', [job.body.id]);
    expect(row).toEqual({ status: 'recorded', command_json: JSON.stringify(['touch', marker]) });
  });

  test('teams and projects refuse deletion while not empty; names are unique among siblings', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const { teamId, projectId, siteId } = await seedBranch(owner, 'tree');
    expect((await owner.post('/v1/teams', { json: { name: 'tree-team' } })).status).toBe(409);
    expect((await owner.delete(`/v1/teams/${teamId}`)).body.code).toBe('team_not_empty');
    expect((await owner.delete(`/v1/projects/${projectId}`)).body.code).toBe('project_not_empty');
    expect((await owner.delete(`/v1/sites/${siteId}`)).status).toBe(204);
    expect((await owner.get(`/v1/sites/${siteId}`)).status).toBe(404);
    expect((await owner.delete(`/v1/projects/${projectId}`)).status).toBe(204);
    expect((await owner.delete(`/v1/teams/${teamId}`)).status).toBe(204);
    expect((await owner.post('/v1/teams', { json: { name: 'tree-team' } })).status).toBe(201);
  });
});
