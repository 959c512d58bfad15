// The inventory and classification in a real browser, as a coordinator would use them:
// import a 200-row system register, classify a system, see its action plan, mark a
// requirement, export the register; then the same pages in English. axe (WCAG 2.1 A/AA) on
// each page on the way.
//
// Runs against a live server (see ../README.md), like smoke.test.mjs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const BASE_URL = (process.env.TILLIT_E2E_BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const ADMIN_USER = process.env.TILLIT_E2E_ADMIN_USER || 'admin';
const ADMIN_PASSWORD = process.env.TILLIT_E2E_ADMIN_PASSWORD || 'e2e-admin-password-123';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(HERE, '..', 'test-results');
const REGISTER = join(HERE, '..', 'fixtures', 'register-200.csv');
const UNITS = ['Socialförvaltningen', 'Utbildningsförvaltningen', 'Stadsbyggnadskontoret'];
const SYSTEM = 'Treserva IFO';
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const TEST_TIMEOUT = 90_000;

let browser;
let context;
let page;
let classificationPath;
const pageErrors = [];

const url = (path) => BASE_URL + path;
const pathname = () => new URL(page.url()).pathname;
const exact = (name) => ({ name, exact: true });

async function waitForPath(test) {
  await page.waitForURL((u) => (typeof test === 'string' ? u.pathname === test : test(u.pathname)), {
    timeout: 30_000,
  });
}

async function checkA11y(label) {
  await page.waitForLoadState('load');
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  assert.deepEqual(summary, [], `axe violations on ${label}`);
}

async function switchTo(button, lang) {
  await page.getByRole('button', exact(button)).first().click();
  await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: 15_000 });
}

function step(name, fn) {
  test(name, { timeout: TEST_TIMEOUT }, async (t) => {
    try {
      await fn(t);
    } catch (err) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const file = join(RESULTS_DIR, `inventory-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      throw err;
    }
  });
}

describe('Inventory and classification', () => {
  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ locale: 'sv-SE', acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e));
    await page.goto(url('/login'));
    await page.getByLabel('Användarnamn', { exact: true }).fill(ADMIN_USER);
    await page.getByLabel('Lösenord', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', exact('Logga in')).click();
    await waitForPath('/');
  });

  after(async () => {
    await browser?.close();
  });

  step('the units of the register exist', async () => {
    for (const name of UNITS) {
      await page.goto(url('/units'));
      if (await page.getByRole('link', exact(name)).count()) continue;
      await page.getByLabel('Namn', { exact: true }).fill(name);
      await page.getByLabel('Typ', { exact: true }).selectOption('administration');
      await page.getByRole('button', exact('Skapa enhet')).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
    }
  });

  step('a 200-row register is previewed and imported', async () => {
    await page.goto(url('/assets/import'));
    await checkA11y('/assets/import');
    await page.getByLabel('Fil', { exact: true }).setInputFiles(REGISTER);
    await page.getByRole('button', exact('Förhandsgranska')).click();
    const importButton = page.getByRole('button', { name: 'Importera 200 tillgångar' });
    await importButton.waitFor({ timeout: 30_000 });
    await checkA11y('the import preview');
    await importButton.click();
    await waitForPath('/assets');
    await page.getByText('Tillgångarna har importerats.').waitFor();
    await page.getByText('Antal tillgångar: 200').waitFor();
    await checkA11y('/assets');
  });

  step('a system is classified and its action plan appears', async () => {
    await page.goto(url(`/assets?search=${encodeURIComponent(SYSTEM)}`));
    await page.getByRole('link', exact(SYSTEM)).first().click();
    await waitForPath((p) => p.startsWith('/assets/') && p !== '/assets/import');
    await checkA11y('an asset page');
    await page.getByRole('button', exact('Starta klassning')).click();
    await waitForPath((p) => p.startsWith('/classifications/'));
    classificationPath = pathname();
    await checkA11y('a draft classification');
    // Answer one question with its most serious answer but one, and decide every aspect.
    const firstGroup = page.locator('fieldset').first();
    const radios = firstGroup.getByRole('radio');
    await radios.nth((await radios.count()) - 2).check();
    for (const select of await page.locator('select[id$="-level"]').all()) {
      await select.selectOption('2');
    }
    for (const box of await page.locator('textarea[id$="-justification"]').all()) {
      await box.fill('Bedömt vid workshop med verksamheten');
    }
    await page.getByLabel('Deltagare', { exact: true }).fill('Anna Andersson (systemägare), Bo Berg (informationssäkerhetssamordnare)');
    await page.getByLabel('Datum för klassningen', { exact: true }).fill('2026-11-20');
    await page.getByRole('button', exact('Slutför klassning')).click();
    await page.getByText('Klassningen är slutförd och handlingsplanen har skapats.').waitFor({ timeout: 30_000 });
    const statuses = page.getByRole('combobox', { name: /^Status för / });
    assert.ok((await statuses.count()) > 0, 'the action plan has requirements');
    await checkA11y('a completed classification');
  });

  step('a requirement of the action plan is marked as met', async () => {
    await page.goto(url(classificationPath));
    const status = page.getByRole('combobox', { name: /^Status för / }).first();
    const label = await status.evaluate((el) => el.labels?.[0]?.textContent ?? '');
    const id = label.replace(/^Status för /, '').trim();
    assert.ok(id, 'the status select is labelled with its requirement');
    await status.selectOption('met');
    await page.getByRole('button', exact(`Spara ${id}`)).click();
    await page.getByText('Kravet i handlingsplanen har sparats.').waitFor();
    assert.equal(await page.getByRole('combobox', exact(`Status för ${id}`)).inputValue(), 'met');
  });

  step('the register is exported with every row', async () => {
    const csv = await page.request.get(url('/assets/export.csv'));
    assert.equal(csv.status(), 200);
    const text = await csv.text();
    assert.match(text, /Namn;/);
    assert.ok(text.includes(SYSTEM), 'the classified system is in the export');
    const lines = text.trim().split(/\r?\n/).length;
    assert.ok(lines >= 201, `a header and 200 rows, got ${lines} lines`);
    const xlsx = await page.request.get(url('/assets/export.xlsx'));
    assert.equal(xlsx.status(), 200);
    assert.match(xlsx.headers()['content-type'], /spreadsheetml/);
  });

  step('the same pages read in English', async () => {
    await page.goto(url('/assets'));
    await switchTo('English', 'en');
    try {
      await page.getByRole('heading', { level: 1, name: 'Inventory' }).waitFor();
      await page.goto(url(classificationPath));
      await page.getByRole('heading', { level: 1, name: `Classification of ${SYSTEM}` }).waitFor();
      assert.ok((await page.getByRole('combobox', { name: /^Status of / }).count()) > 0);
      await checkA11y('a completed classification in English');
      await page.goto(url('/coverage'));
      await page.getByRole('heading', { level: 1 }).waitFor();
      await checkA11y('/coverage in English');
    } finally {
      // The account keeps its language: leave it Swedish for the suites after this one.
      await switchTo('Svenska', 'sv');
    }
  });

  step('no page threw a JavaScript error', async () => {
    assert.deepEqual(pageErrors.map((e) => e.message), []);
  });
});
