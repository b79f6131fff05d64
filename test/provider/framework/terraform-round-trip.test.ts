/**
 * The framework driven by the real terraform binary through the fixture provider, with
 * automatic mutual TLS on (Terraform always sends PLUGIN_CLIENT_CERT unless told not to).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeMirror } from '../../../provider/scripts/write-mirror';
import { buildFixtureProvider, type BuiltFixture } from './fixtures/build-fixture';
import { expectExit, runTerraform, terraformEnvironment } from './terraform-cli';

interface StoredThing {
  name: string;
  tags: string[];
  zone: string | null;
  secret: string;
}

function thingConfig(store: string, options: { name?: string; tags?: string[]; zone?: string; size?: string } = {}): string {
  // Line numbers matter: the validation test expects `name` on line 9.
  return [
    'terraform {',
    '  required_providers {',
    '    fixture = { source = "example.com/test/fixture" }',
    '  }',
    '}',
    'provider "fixture" { id_prefix = "t-" }',
    'resource "fixture_thing" "a" {',
    `  store = ${JSON.stringify(store)}`,
    `  name  = ${JSON.stringify(options.name ?? 'alpha')}`,
    `  tags  = ${JSON.stringify(options.tags ?? ['red', 'blue'])}`,
    `  zone  = ${JSON.stringify(options.zone ?? 'zone-1')}`,
    `  size  = ${options.size ?? '0.1'}`,
    '}',
    'data "fixture_store" "all" {',
    '  store      = fixture_thing.a.store',
    '  depends_on = [fixture_thing.a]',
    '}',
    'output "ids" { value = data.fixture_store.all.ids }',
    'output "secret" {',
    '  value     = fixture_thing.a.secret',
    '  sensitive = true',
    '}',
    '',
  ].join('\n');
}

describe('a framework provider under real terraform', () => {
  let fixture: BuiltFixture;
  let workDirectory: string;
  let store: string;
  let env: Record<string, string>;
  const terraform = (args: string[]) => runTerraform(workDirectory, [...args, '-no-color'], env);
  const things = (): Record<string, StoredThing> => JSON.parse(readFileSync(store, 'utf8'));
  const writeConfig = (options: Parameters<typeof thingConfig>[1] = {}) => writeFileSync(join(workDirectory, 'main.tf'), thingConfig(store, options));

  beforeAll(async () => {
    fixture = await buildFixtureProvider();
    workDirectory = mkdtempSync(join(fixture.directory, 'work-'));
    store = join(workDirectory, 'things.json');
    const cliConfig = join(workDirectory, 'cli.tfrc');
    writeFileSync(
      cliConfig,
      `provider_installation {\n  dev_overrides {\n    "example.com/test/fixture" = ${JSON.stringify(fixture.binDirectory)}\n  }\n  direct {}\n}\n`,
    );
    env = terraformEnvironment(cliConfig);
    // Fail, not skip, without terraform.
    expectExit(await runTerraform(workDirectory, ['version'], env), 0, 'terraform version');
  });
  afterAll(() => rmSync(fixture.directory, { recursive: true, force: true }));

  it('validate reports a resource diagnostic at the attribute line', async () => {
    writeConfig({ name: 'bad name' });
    const result = expectExit(await terraform(['validate']), 1, 'validate with a bad name');
    expect(result.stderr).toContain('Invalid name');
    expect(result.stderr).toContain('on main.tf line 9, in resource "fixture_thing" "a"');
    expect(result.stderr).toContain('9:   name  = "bad name"');
  });

  it('plans and applies a create, reading the data source afterwards', async () => {
    writeConfig();
    const plan = expectExit(await terraform(['plan', '-detailed-exitcode']), 2, 'first plan');
    expect(plan.stdout).toContain('+ id       = (known after apply)');
    expect(plan.stdout).toContain('+ secret   = (sensitive value)');
    const apply = expectExit(await terraform(['apply', '-auto-approve']), 0, 'first apply');
    expect(apply.stdout).toContain('Apply complete! Resources: 1 added');
    const [id] = Object.keys(things());
    expect(id).toMatch(/^t-/);
    expect(things()[id]).toMatchObject({ name: 'alpha', tags: expect.arrayContaining(['red', 'blue']), zone: 'zone-1' });
    const output = JSON.parse(expectExit(await terraform(['output', '-json']), 0, 'output').stdout);
    expect(output.ids.value).toEqual([id]);
    expect(output.secret.value).toBe(things()[id].secret);
  });

  it('plans no changes right after apply', async () => {
    expectExit(await terraform(['plan', '-detailed-exitcode']), 0, 'plan after apply');
  });

  it('detects drift in the backing store as an in-place update and repairs it', async () => {
    const [id] = Object.keys(things());
    const drifted = things();
    drifted[id].tags = ['red', 'green'];
    writeFileSync(store, JSON.stringify(drifted));
    const plan = expectExit(await terraform(['plan', '-detailed-exitcode']), 2, 'plan after drift');
    expect(plan.stdout).toContain('fixture_thing.a will be updated in-place');
    expect(plan.stdout).toMatch(/- "green"/);
    expect(plan.stdout).toMatch(/\+ "blue"/);
    expect(plan.stdout).toContain('revision = 1 -> (known after apply)');
    expectExit(await terraform(['apply', '-auto-approve']), 0, 'apply repairing drift');
    expect(things()[id].tags.sort()).toEqual(['blue', 'red']);
    expectExit(await terraform(['plan', '-detailed-exitcode']), 0, 'plan after repair');
  });

  it('plans a create when the object was deleted outside terraform', async () => {
    writeFileSync(store, '{}');
    const plan = expectExit(await terraform(['plan', '-detailed-exitcode']), 2, 'plan after outside delete');
    expect(plan.stdout).toContain('has been deleted');
    expect(plan.stdout).toContain('fixture_thing.a will be created');
    expectExit(await terraform(['apply', '-auto-approve']), 0, 'apply recreating');
    expect(Object.keys(things())).toHaveLength(1);
  });

  it('replaces the object when an attribute forcing replacement changes', async () => {
    const [oldId] = Object.keys(things());
    writeConfig({ zone: 'zone-2' });
    const plan = expectExit(await terraform(['plan', '-detailed-exitcode']), 2, 'plan with a new zone');
    expect(plan.stdout).toContain('must be replaced');
    expect(plan.stdout).toContain('# forces replacement');
    expectExit(await terraform(['apply', '-auto-approve']), 0, 'apply replacement');
    const ids = Object.keys(things());
    expect(ids).toHaveLength(1);
    expect(ids[0]).not.toBe(oldId);
    expect(things()[ids[0]].zone).toBe('zone-2');
  });

  it('imports an existing object into a fresh state, then plans no changes', async () => {
    const [id] = Object.keys(things());
    const importDirectory = mkdtempSync(join(fixture.directory, 'import-'));
    writeFileSync(join(importDirectory, 'main.tf'), thingConfig(store, { zone: 'zone-2' }));
    expectExit(await runTerraform(importDirectory, ['import', '-no-color', 'fixture_thing.a', `${store}#${id}`], env), 0, 'import');
    const state = JSON.parse(expectExit(await runTerraform(importDirectory, ['show', '-json', '-no-color'], env), 0, 'show').stdout);
    const imported = state.values.root_module.resources.find((resource: { address: string }) => resource.address === 'fixture_thing.a');
    expect(imported.values).toMatchObject({ id, name: 'alpha', zone: 'zone-2', size: 0.1 });
    expectExit(await runTerraform(importDirectory, ['plan', '-detailed-exitcode', '-no-color'], env), 0, 'plan after import');
  });

  it('destroys the object', async () => {
    expectExit(await terraform(['destroy', '-auto-approve']), 0, 'destroy');
    expect(things()).toEqual({});
  });

  it('installs from an unpacked filesystem mirror with terraform init, offline', async () => {
    const mirrorDirectory = mkdtempSync(join(fixture.directory, 'mirror-'));
    writeMirror(join(mirrorDirectory, 'providers'), { version: '0.0.1', bundlePath: fixture.bundlePath, address: 'example.com/test/fixture' });
    const project = mkdtempSync(join(mirrorDirectory, 'project-'));
    const cliConfig = join(mirrorDirectory, 'cli.tfrc');
    writeFileSync(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(join(mirrorDirectory, 'providers'))}\n    include = ["example.com/*/*"]\n  }\n  direct {\n    exclude = ["example.com/*/*"]\n  }\n}\n`,
    );
    const mirrorStore = join(project, 'things.json');
    writeFileSync(join(project, 'main.tf'), thingConfig(mirrorStore));
    const mirrorEnv = terraformEnvironment(cliConfig);
    const init = expectExit(await runTerraform(project, ['init', '-no-color'], mirrorEnv), 0, 'init from the mirror');
    expect(init.stdout).toContain('Installing example.com/test/fixture v0.0.1');
    expectExit(await runTerraform(project, ['apply', '-auto-approve', '-no-color'], mirrorEnv), 0, 'apply via the mirror');
    expect(Object.keys(JSON.parse(readFileSync(mirrorStore, 'utf8')))).toHaveLength(1);
  });
});
