// docs/ (Terraform Registry layout) is generated from schema/provider.json and examples/: it must
// match a fresh generation, every kind in the schema must get pages (ephemeral resources and
// functions too), and a schema entry without an example must be refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_DOCS_DIR, GENERATED_PATHS, renderDocs } from '../../scripts/generate-docs';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

function generatedFilesIn(docsDir: string): string[] {
  return GENERATED_PATHS.flatMap((entry) => {
    const full = path.join(docsDir, entry);
    if (!fs.existsSync(full)) return [];
    if (fs.statSync(full).isFile()) return [entry];
    return fs.readdirSync(full, { recursive: true, encoding: 'utf8' }).map((file) => `${entry}/${file}`);
  }).sort();
}

describe('docs/ (npm run generate:docs)', () => {
  const pages = renderDocs();

  it('holds the Registry pages for the provider, its resource and its data sources', () => {
    for (const page of ['index.md', 'resources/api_key.md', 'data-sources/scopes.md', 'data-sources/api_key.md']) expect(pages.has(page)).toBe(true);
    expect(generatedFilesIn(DEFAULT_DOCS_DIR)).toEqual([...pages.keys()].sort());
  });

  it('matches a fresh generation byte for byte (run `npm run generate:docs` when this fails)', () => {
    const stale = [...pages].filter(([file, content]) => {
      const committed = path.join(DEFAULT_DOCS_DIR, file);
      return !fs.existsSync(committed) || fs.readFileSync(committed, 'utf8') !== content;
    });
    expect(stale.map(([file]) => file)).toEqual([]);
  });

  it('shows example usage, argument and attribute references and import instructions', () => {
    const resource = pages.get('resources/api_key.md')!;
    expect(resource).toContain(fs.readFileSync(path.join(REPO_ROOT, 'examples', 'resources', 'managed_api_key', 'resource.tf'), 'utf8').trimEnd());
    expect(resource).toMatch(
      /## Argument Reference[\s\S]*`name` \(string\) Human-readable name[\s\S]*## Attribute Reference[\s\S]*`secret` \(string; sensitive\)/,
    );
    expect(resource).toContain('## Import\n\n```shell\n# Import an existing key by its id.');
    expect(pages.get('data-sources/api_key.md')).toContain('data "managed_api_key" "ci_deployer"');
    expect(pages.get('index.md')).toMatch(/- \[managed_api_key\]\(resources\/api_key\.md\)/);
  });

  describe('on a schema with an ephemeral resource, a function, a nested block and guides', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'managed-docs-'));
      const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'provider.json'), 'utf8'));
      const provider = schema.provider_schemas['registry.terraform.io/managed-dev/managed'];
      provider.ephemeral_resource_schemas = {
        managed_api_key: {
          version: 0,
          block: {
            description: 'A short-lived key that is never stored in state.',
            attributes: {
              name: { type: 'string', required: true, description: 'Name.' },
              secret: { type: 'string', computed: true, sensitive: true, description: 'Secret.' },
            },
            block_types: {
              limits: {
                nesting_mode: 'single',
                max_items: 1,
                block: { attributes: { rate: { type: 'number', optional: true, description: 'Requests per second.' } } },
              },
            },
          },
        },
      };
      provider.functions = {
        preset_scopes: {
          summary: 'The scopes a preset grants.',
          description: 'Returns the scopes of a preset, from the catalog built into the provider.',
          return_type: ['list', 'string'],
          parameters: [{ name: 'preset', type: 'string', description: 'A preset name.' }],
        },
      };
      fs.writeFileSync(path.join(dir, 'provider.json'), JSON.stringify(schema));
      fs.cpSync(path.join(REPO_ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'examples', 'ephemeral-resources', 'managed_api_key'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'examples', 'ephemeral-resources', 'managed_api_key', 'ephemeral-resource.tf'),
        'ephemeral "managed_api_key" "short" {\n  name = "short"\n}\n',
      );
      fs.mkdirSync(path.join(dir, 'examples', 'functions', 'preset_scopes'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'examples', 'functions', 'preset_scopes', 'function.tf'),
        'output "deploy_bot" {\n  value = provider::managed::preset_scopes("deploy-bot")\n}\n',
      );
      fs.mkdirSync(path.join(dir, 'guides'));
      fs.writeFileSync(path.join(dir, 'guides', 'least-privilege.md'), '# Least privilege\n');
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('writes a page for each and lists them in the index', () => {
      const generated = renderDocs({
        schemaFile: path.join(dir, 'provider.json'),
        examplesDir: path.join(dir, 'examples'),
        guidesDir: path.join(dir, 'guides'),
      });
      const ephemeral = generated.get('ephemeral-resources/api_key.md')!;
      expect(ephemeral).toContain('# managed_api_key (Ephemeral Resource)');
      expect(ephemeral).toContain('ephemeral "managed_api_key" "short"');
      expect(ephemeral).toMatch(/`limits` \(block, single, at most 1\)[\s\S]*### Nested block `limits`[\s\S]*`rate` \(number\) Requests per second\./);
      const fn = generated.get('functions/preset_scopes.md')!;
      expect(fn).toContain('preset_scopes(preset string) list(string)');
      expect(fn).toContain('provider::managed::preset_scopes("deploy-bot")');
      const index = generated.get('index.md')!;
      expect(index).toContain('- [managed_api_key](ephemeral-resources/api_key.md)');
      expect(index).toContain('- [provider::managed::preset_scopes](functions/preset_scopes.md)');
      expect(index).toContain('- [least-privilege](guides/least-privilege.md)');
    });

    it('refuses a schema entry that has no example', () => {
      fs.rmSync(path.join(dir, 'examples', 'functions'), { recursive: true });
      expect(() =>
        renderDocs({ schemaFile: path.join(dir, 'provider.json'), examplesDir: path.join(dir, 'examples'), guidesDir: path.join(dir, 'guides') }),
      ).toThrow('function "preset_scopes" has no example: write examples/functions/preset_scopes/function.tf');
    });
  });
});
