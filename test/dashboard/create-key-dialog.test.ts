/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
 * control plane: issue #12's acceptance, step by step, in one signed-in session. The Terraform
 * snippet from the confirmation panel is applied with the real terraform through the provider.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../support/browser';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { apiClient } from '../support/http';
import { seedBranch, type SeededBranch } from '../support/resource-tree';
import { createTerraformWorkspace, REPOSITORY_ROOT, requireTerraform, type TerraformWorkspace } from '../support/terraform';

jest.setTimeout(300_000);

/**
 * The few browser globals the page functions below touch, typed here because this file is
 * compiled without the DOM library (which would change Node's own types for the whole program).
 */
interface BrowserElement {
  blur(): void;
  readonly textContent: string | null;
}
declare const document: { readonly activeElement: BrowserElement | null; readonly cookie: string; querySelector(selector: string): BrowserElement | null };
declare const localStorage: Record<string, string>;
declare const sessionStorage: Record<string, string>;
declare const navigator: { readonly clipboard: { readText(): Promise<string> } };
type SelectElement = { readonly selectedOptions: ArrayLike<BrowserElement> };
type CheckboxElement = { readonly labels: ArrayLike<BrowserElement> | null };
type OptGroupElement = { readonly label: string; querySelectorAll(selector: string): ArrayLike<BrowserElement> };

/** Whether the element has the keyboard focus. */
const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

/** Waits until the element has the keyboard focus (focus moves in effects, after the DOM changes). */
async function waitForFocus(locator: Locator): Promise<void> {
  await page.waitForFunction((element) => element === document.activeElement, await locator.elementHandle());
}

const SCREENSHOTS = join(REPOSITORY_ROOT, 'docs', 'images');
const DAY_MS = 24 * 60 * 60 * 1000;

let controlPlane: TestControlPlane;
let browser: TestBrowser;
let page: Page;
let acme: SeededBranch;
let workspace: TerraformWorkspace | undefined;
/** What the dialog produced, for the later steps. */
const made: { id?: string; secret?: string; terraform?: string; cdktf?: string } = {};

beforeAll(async () => {
  await requireTerraform();
  controlPlane = await startControlPlane();
  const owner = apiClient(controlPlane.url, controlPlane.ownerKey);
  acme = await seedBranch(owner, 'acme');
  await seedBranch(owner, 'globex');
  browser = await launchBrowser();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: controlPlane.url });
  page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  await mkdir(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await workspace?.cleanup();
  await browser?.close();
  await controlPlane?.close();
});

async function expectNoSeriousAxeViolations(what: string, include?: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']);
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${what}: ${violation.id} (${violation.impact}) ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

/** The whole dialog, unscrolled: a viewport tall enough that it needs no scrolling, then back. */
async function screenshotWhole(target: Locator, file: string): Promise<void> {
  const viewport = page.viewportSize()!;
  await page.setViewportSize({ width: viewport.width, height: 1700 });
  await target.locator('.dialog-scroll').evaluate((element) => element.scrollTo(0, 0));
  await page.evaluate(() => document.activeElement?.blur());
  await target.screenshot({ path: join(SCREENSHOTS, file), animations: 'disabled' });
  await page.setViewportSize(viewport);
}

const dialog = () => page.getByRole('dialog', { name: 'Create API key' });
const owner = () => apiClient(controlPlane.url, controlPlane.ownerKey);

it('does not sign in with a wrong key, and the sign-in page passes axe', async () => {
  await page.goto(`${controlPlane.url}/`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await expectNoSeriousAxeViolations('sign-in page');
  await page.getByLabel('API key', { exact: true }).fill('mdk_this-is-not-a-key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/malformed|unknown|checksum/);
  expect(await page.getByRole('heading', { name: 'API keys', exact: true }).count()).toBe(0);
  expect(await browser.context.cookies()).toEqual([]);
});

it('signs in: HttpOnly SameSite=Strict session cookie, the key in no web storage, keys page passes axe', async () => {
  await page.getByLabel('API key', { exact: true }).fill(controlPlane.ownerKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  await page
    .getByRole('cell', { name: /^owner/ })
    .or(page.getByRole('rowheader', { name: /owner/ }))
    .first()
    .waitFor();

  const cookies = await browser.context.cookies();
  expect(cookies).toHaveLength(1);
  expect(cookies[0]).toMatchObject({ name: 'mdk_session', httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
  expect(cookies[0]!.value).not.toContain(controlPlane.ownerKey);
  const stored = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
  }));
  expect(stored).toEqual({ local: '{}', session: '{}', cookie: '' });
  await expectNoSeriousAxeViolations('keys page');
});

it('refuses a cookie-carrying change without the CSRF token, from the page itself', async () => {
  const status = await page.evaluate(async () => {
    const response = await fetch('/v1/keys', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'forged', preset: 'read-only' }),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
  });
  expect(status).toMatchObject({ status: 403, type: expect.stringMatching(/^application\/problem\+json/), body: { code: 'csrf_token_invalid' } });
});

it('opens the dialog: TTL defaults to 90 days (longest one year), no preset checks a dangerous scope, axe passes', async () => {
  await page.getByRole('button', { name: 'Create key', exact: true }).click();
  await dialog().waitFor();
  await expectNoSeriousAxeViolations('create dialog', 'dialog');

  const ttl = dialog().getByLabel('TTL');
  expect(await ttl.evaluate((select) => (select as unknown as SelectElement).selectedOptions[0]!.textContent)).toBe('90 days');
  const choices = await ttl.locator('option').allTextContents();
  expect(choices[choices.length - 1]).toBe('1 year');
  expect(choices.indexOf('90 days')).toBeGreaterThan(0);

  const dangerous = ['keys:write', 'credentials:read', 'credentials:write', 'exec:raw'];
  for (const preset of ['Read-only', 'Deploy bot', 'CI/Terraform', 'Observability', 'WP automation']) {
    const chip = dialog().getByRole('button', { name: preset, exact: true });
    await chip.click();
    expect(await chip.getAttribute('aria-pressed')).toBe('true');
    expect(await dialog().getByRole('checkbox', { checked: true }).count()).toBeGreaterThan(0);
    for (const scope of dangerous) expect(await dialog().getByRole('checkbox', { name: scope, exact: true }).isChecked()).toBe(false);
    await chip.click(); // off again
  }

  // A dangerous scope needs its own confirmation; cancelling leaves it out.
  await dialog().getByRole('checkbox', { name: 'exec:raw', exact: true }).click();
  expect(await dialog().getByRole('checkbox', { name: 'exec:raw', exact: true }).isChecked()).toBe(false);
  await dialog().getByRole('group', { name: 'Confirm exec:raw' }).getByRole('button', { name: 'Cancel' }).click();
  expect(await dialog().getByRole('checkbox', { name: 'exec:raw', exact: true }).isChecked()).toBe(false);
  await dialog().getByRole('checkbox', { name: 'credentials:read', exact: true }).click();
  await dialog().getByRole('button', { name: 'Add credentials:read' }).click();
  expect(await dialog().getByRole('checkbox', { name: 'credentials:read', exact: true }).isChecked()).toBe(true);
  await dialog().getByRole('checkbox', { name: 'credentials:read', exact: true }).click();
  expect(await dialog().getByRole('checkbox', { name: 'credentials:read', exact: true }).isChecked()).toBe(false);
});

it('shows an API error at the field its pointer names', async () => {
  await dialog().getByLabel('Name').fill('trailing space ');
  await dialog().getByRole('button', { name: 'Read-only', exact: true }).click();
  await dialog().getByRole('button', { name: 'Create key', exact: true }).click();
  const name = dialog().getByLabel('Name');
  await page.waitForFunction(() => document.querySelector('dialog input[aria-invalid="true"]') !== null);
  expect(await name.getAttribute('aria-invalid')).toBe('true');
  const describedBy = (await name.getAttribute('aria-describedby'))!;
  const message = await page.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent();
  expect(message).toMatch(/whitespace/);
  await dialog().getByRole('button', { name: 'Read-only', exact: true }).click(); // preset off again
});

it('creates Deploy bot + metrics:read (found by search), constrained to a team, with an allowlist and the default TTL', async () => {
  await dialog().getByLabel('Name').fill('acme deployer');
  await dialog().getByRole('button', { name: 'Deploy bot', exact: true }).click();

  const search = dialog().getByRole('searchbox', { name: 'Search scopes' });
  await search.fill('metrics');
  const visible = await dialog()
    .getByRole('group', { name: 'Scopes' })
    .getByRole('checkbox')
    .evaluateAll((boxes) => boxes.map((box) => (box as unknown as CheckboxElement).labels?.[0]?.textContent));
  expect(visible).toEqual(['metrics:read']);
  await dialog().getByRole('checkbox', { name: 'metrics:read', exact: true }).check();
  await search.fill('');

  const constraint = dialog().getByLabel('Constraint');
  const groups = await constraint.locator('optgroup').evaluateAll((elements) =>
    elements.map((element) => {
      const group = element as unknown as OptGroupElement;
      return [group.label, Array.from(group.querySelectorAll('option'), (option) => option.textContent)];
    }),
  );
  expect(groups).toEqual([
    ['Teams', ['acme-team', 'globex-team']],
    ['Projects', ['acme-project', 'globex-project']],
    ['Sites', ['acme-site', 'globex-site']],
  ]);
  await constraint.selectOption({ label: 'acme-team' });

  // Validated as you type, with the server's rules (canonical network address).
  const allowlist = dialog().getByLabel('IP allowlist');
  await allowlist.fill('127.0.0.1/8');
  await page.getByText('Line 1:').waitFor();
  expect(
    await dialog()
      .getByText(/did you mean 127\.0\.0\.0\/8/)
      .count(),
  ).toBe(1);
  expect(await allowlist.getAttribute('aria-invalid')).toBe('true');
  await allowlist.fill('127.0.0.0/8\n203.0.113.0/24');
  expect(await page.getByText('Line 1:').count()).toBe(0);

  await screenshotWhole(dialog(), 'dashboard-create-key.png');
  await dialog().getByRole('button', { name: 'Create key', exact: true }).click();

  const confirmation = page.getByRole('dialog', { name: 'API key created' });
  await confirmation.waitFor();
  expect(await confirmation.getByText("You won't see this again").count()).toBe(1);
  const secretField = confirmation.getByLabel('Secret', { exact: true });
  expect(await secretField.getAttribute('readonly')).not.toBeNull();
  const secret = await secretField.inputValue();
  expect(secret).toMatch(/^mdk_/);
  await confirmation.getByRole('button', { name: 'Copy', exact: true }).click();
  made.secret = await page.evaluate(() => navigator.clipboard.readText());
  expect(made.secret).toBe(secret);

  made.terraform = (await confirmation.getByRole('tabpanel').locator('code').textContent()) ?? '';
  await confirmation.getByRole('tab', { name: 'CDKTF' }).click();
  made.cdktf = (await confirmation.getByRole('tabpanel').locator('code').textContent()) ?? '';
  await confirmation.getByRole('tab', { name: 'Terraform' }).click();
  await screenshotWhole(confirmation, 'dashboard-key-created.png');

  // The key read back through the API has exactly those settings and 90 days.
  const listed = await owner().get('/v1/keys?name=acme%20deployer');
  expect(listed.body.items).toHaveLength(1);
  const key = listed.body.items[0];
  made.id = key.id;
  expect(key).toMatchObject({
    name: 'acme deployer',
    preset: 'deploy-bot',
    scopes: ['metrics:read'],
    constraint: { team_id: acme.teamId },
    ip_allowlist: ['127.0.0.0/8', '203.0.113.0/24'],
    status: 'active',
  });
  expect(Date.parse(key.expires_at) - Date.parse(key.created_at)).toBe(90 * DAY_MS);
  expect(key.effective_scopes).toEqual(['deploys:read', 'deploys:write', 'logs:read', 'metrics:read', 'sites:read']);

  // The copied secret works, as exactly that key.
  const asKey = await apiClient(controlPlane.url, made.secret).get('/v1/whoami');
  expect(asKey.status).toBe(200);
  expect(asKey.body.key_id).toBe(made.id);
  expect((await apiClient(controlPlane.url, made.secret).get(`/v1/teams/${acme.teamId}`)).status).toBe(403); // sites:read only, no teams:read

  expect(made.terraform).toContain('resource "managed_api_key" "acme_deployer"');
  expect(made.terraform).toContain(`id = "${made.id}"`);
  expect(made.cdktf).toContain('new ApiKey(stack, "acme_deployer"');
  expect(made.cdktf).toContain(`importFrom("${made.id}")`);
});

it('forgets the secret on reload; the session survives it', async () => {
  await page.reload();
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  await page.getByText('acme deployer').first().waitFor();
  expect(await page.content()).not.toContain(made.secret!);
  expect(await page.getByLabel('Secret', { exact: true }).count()).toBe(0);
});

it('applies the Terraform snippet with the real terraform: the key is imported and the next plan is clean', async () => {
  workspace = await createTerraformWorkspace({
    files: { 'main.tf': made.terraform! },
    env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey },
  });
  await workspace.terraform(['init']);
  const apply = await workspace.terraform(['apply', '-auto-approve']);
  expect(apply.stdout).toContain('Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.');
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });
  const keys = await owner().get('/v1/keys?name=acme%20deployer');
  expect(keys.body.items).toHaveLength(1); // adopted, not minted again
});

it('works from the keyboard alone: open, fill, pick a preset, create, close', async () => {
  await page.locator('body').focus();
  const createButton = page.getByRole('button', { name: 'Create key', exact: true });
  for (let presses = 0; presses < 30 && !(await isFocused(createButton)); presses++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await dialog().waitFor();
  await waitForFocus(dialog().getByLabel('Name'));
  await page.keyboard.type('keyboard-only');
  const chip = dialog().getByRole('button', { name: 'Observability', exact: true });
  for (let presses = 0; presses < 10 && !(await isFocused(chip)); presses++) await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  expect(await chip.getAttribute('aria-pressed')).toBe('true');
  const submit = dialog().getByRole('button', { name: 'Create key', exact: true });
  for (let presses = 0; presses < 60 && !(await isFocused(submit)); presses++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const confirmation = page.getByRole('dialog', { name: 'API key created' });
  await confirmation.waitFor();
  await page.keyboard.press('Escape');
  await confirmation.waitFor({ state: 'detached' });
  await waitForFocus(createButton); // focus returns to the button that opened the dialog
  const created = await owner().get('/v1/keys?name=keyboard-only');
  expect(created.body.items[0]).toMatchObject({ preset: 'observability', scopes: [] });
});

it('revokes from the table behind an alert dialog', async () => {
  const row = page.getByRole('row').filter({ hasText: 'acme deployer' });
  await row.getByRole('button', { name: /^Revoke/ }).click();
  const alert = page.getByRole('alertdialog');
  await alert.waitFor();
  expect(await alert.getAttribute('aria-labelledby')).not.toBeNull();
  await alert.getByRole('button', { name: 'Revoke', exact: true }).click();
  await alert.waitFor({ state: 'detached' });
  await row.getByText('revoked').waitFor();
  expect((await owner().get(`/v1/keys/${made.id}`)).body.status).toBe('revoked');
  await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-keys.png'), animations: 'disabled' });
  expect((await apiClient(controlPlane.url, made.secret).get('/v1/whoami')).status).toBe(401);
});

it('rotates with a grace period: the new secret is shown once, the old one keeps working', async () => {
  const row = page.getByRole('row').filter({ hasText: 'keyboard-only' });
  await row.getByRole('button', { name: /^Rotate/ }).click();
  await page.getByLabel('Grace period').selectOption('1h');
  await page.getByRole('button', { name: 'Rotate', exact: true }).click();
  const secret = await page.getByLabel('Secret', { exact: true }).inputValue();
  expect(secret).toMatch(/^mdk_/);
  const id = (await owner().get('/v1/keys?name=keyboard-only')).body.items[0].id;
  expect((await apiClient(controlPlane.url, secret).get('/v1/whoami')).body.key_id).toBe(id);
  await page.getByRole('button', { name: 'Done' }).click();
});

it('shows the scopes a weaker signed-in key cannot grant as disabled, with the reason', async () => {
  const weak = await owner().post('/v1/keys', { json: { name: 'key-admin-lite', scopes: ['keys:read', 'keys:write', 'sites:read', 'teams:read'] } });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key', { exact: true }).fill(weak.body.secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Create key', exact: true }).click();
  const metrics = dialog().getByRole('checkbox', { name: 'metrics:read', exact: true });
  expect(await metrics.isDisabled()).toBe(true);
  const reasonId = (await metrics.getAttribute('aria-describedby'))!;
  expect(await page.locator(`[id="${reasonId}"]`).textContent()).toContain('The key you signed in with (key-admin-lite) does not hold metrics:read');
  expect(await dialog().getByRole('checkbox', { name: 'sites:read', exact: true }).isDisabled()).toBe(false);
  expect(await dialog().getByRole('button', { name: 'Deploy bot', exact: true }).isDisabled()).toBe(true);
  expect(await dialog().getByRole('checkbox', { name: 'exec:raw', exact: true }).isDisabled()).toBe(true);
  await page.keyboard.press('Escape');
});
