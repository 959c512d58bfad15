// Browser smoke suite for Tillit: sign-in, navigation, organisation units,
// audit log, language switch, keyboard reachability, sign-out, and axe
// (WCAG 2.1 A/AA) on the main pages.
//
// Runs against a live server (see ../README.md); nothing here starts one.
//   TILLIT_E2E_BASE_URL        default http://127.0.0.1:18080
//   TILLIT_E2E_ADMIN_USER      default admin
//   TILLIT_E2E_ADMIN_PASSWORD  default e2e-admin-password-123
//   CHROMIUM_PATH              default /usr/bin/chromium
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
const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const TEST_TIMEOUT = 60_000;

const NAV_SV = ['Översikt', 'Organisation', 'Användare', 'Granskningslogg'];
const NAV_EN = ['Overview', 'Organisation', 'Users', 'Audit log'];

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('playwright-core').BrowserContext} */
let context;
/** @type {import('playwright-core').Page} */
let page;
const pageErrors = [];

const url = (path) => BASE_URL + path;
const pathname = () => new URL(page.url()).pathname;
const exact = (name) => ({ name, exact: true });

async function waitForPath(path) {
  await page.waitForURL((u) => u.pathname === path, { timeout: 15_000 });
}

async function htmlLang() {
  return page.locator('html').getAttribute('lang');
}

async function waitForLang(lang) {
  await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: 15_000 });
}

async function fillSignIn(user, password) {
  await page.getByLabel('Användarnamn', { exact: true }).fill(user);
  await page.getByLabel('Lösenord', { exact: true }).fill(password);
  await page.getByRole('button', exact('Logga in')).click();
}

/** Sign in as admin unless already signed in; ends on a signed-in page. */
async function ensureSignedIn() {
  await page.goto(url('/'));
  if (pathname() === '/login') {
    await fillSignIn(ADMIN_USER, ADMIN_PASSWORD);
    await waitForPath('/');
  }
}

/** Make sure the UI is in Swedish (a failed language test must not break the rest). */
async function ensureSwedish() {
  if ((await htmlLang()) !== 'sv') {
    const sv = page.getByRole('button', exact('Svenska'));
    if (await sv.count()) {
      await sv.first().click();
      await waitForLang('sv');
    }
  }
}

async function checkA11y(label) {
  await page.waitForLoadState('load');
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const report = results.violations.map((v) =>
    `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
    v.nodes.slice(0, 5).map((n) => `      at ${n.target.join(' ')}: ${n.failureSummary?.split('\n').join(' ')}`).join('\n'));
  assert.equal(results.violations.length, 0,
    `axe found ${results.violations.length} WCAG 2.1 A/AA violation(s) on ${label} (${page.url()}):\n${report.join('\n')}`);
}

async function navLinks() {
  const nav = page.getByRole('navigation').first();
  await nav.waitFor();
  return nav;
}

/** Pick an option of a <select>: the first non-empty value whose text/value matches `prefer`, else the first non-empty. */
async function chooseOption(select, prefer) {
  const options = await select.locator('option').evaluateAll((opts) =>
    opts.filter((o) => !o.disabled && o.value !== '').map((o) => ({ value: o.value, text: o.textContent.trim() })));
  if (options.length === 0) return null;
  const preferred = prefer ? options.find((o) => prefer.test(o.value) || prefer.test(o.text)) : undefined;
  const choice = preferred || options[0];
  await select.selectOption(choice.value);
  return choice;
}

/** Wait until `name` is shown in <main> (visible text; not e.g. a <select> option). */
async function unitInList(name) {
  await page.getByRole('main').getByText(name).filter({ visible: true }).first().waitFor();
}

/** Run a test body; on failure save a screenshot to e2e/test-results/. */
function step(name, fn) {
  test(name, { timeout: TEST_TIMEOUT }, async () => {
    try {
      await fn();
    } catch (err) {
      try {
        mkdirSync(RESULTS_DIR, { recursive: true });
        const file = join(RESULTS_DIR, name.replace(/[^\w-]+/g, '_') + '.png');
        await page.screenshot({ path: file, fullPage: true });
        console.error(`  screenshot: ${file} (url: ${page.url()})`);
      } catch { /* best effort */ }
      throw err;
    }
  });
}

describe('Tillit smoke', () => {
  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => {
      pageErrors.push(err);
      console.error(`  page error on ${page.url()}: ${err.message}`);
    });
  });

  after(async () => {
    await browser?.close();
  });

  step('GET / redirects to the Swedish sign-in page', async () => {
    await page.goto(url('/'));
    await waitForPath('/login');
    assert.equal(await htmlLang(), 'sv');
    await page.getByLabel('Användarnamn', { exact: true }).waitFor();
    await page.getByLabel('Lösenord', { exact: true }).waitFor();
    await page.getByRole('button', exact('Logga in')).waitFor();
    assert.equal(await page.getByLabel('Användarnamn', { exact: true }).getAttribute('name'), 'username');
    assert.equal(await page.getByLabel('Lösenord', { exact: true }).getAttribute('name'), 'password');
  });

  step('sign-in page has no WCAG 2.1 A/AA violations', async () => {
    await page.goto(url('/login'));
    await checkA11y('the sign-in page');
  });

  step('a wrong password shows an error and stays on /login', async () => {
    await page.goto(url('/login'));
    await fillSignIn(ADMIN_USER, 'definitely-not-the-password');
    await page.getByRole('alert').first().waitFor();
    assert.equal(pathname(), '/login');
    assert.notEqual((await page.getByRole('alert').first().innerText()).trim(), '', 'the alert has text');
    await checkA11y('the sign-in page with an error');
  });

  step('admin signs in and lands on the overview', async () => {
    await page.goto(url('/login'));
    await fillSignIn(ADMIN_USER, ADMIN_PASSWORD);
    await waitForPath('/');
    const nav = page.getByRole('navigation', exact('Huvudmeny'));
    await nav.waitFor();
    for (const name of NAV_SV) await nav.getByRole('link', exact(name)).waitFor();
    await page.getByRole('main').getByRole('heading', { level: 1 }).first().waitFor();
  });

  step('overview has no WCAG 2.1 A/AA violations', async () => {
    await ensureSignedIn();
    await checkA11y('the overview');
  });

  step('every main-menu page is reachable by keyboard', async () => {
    await ensureSignedIn();
    await ensureSwedish();
    for (const name of NAV_SV) {
      await page.goto(url('/'));
      const link = (await navLinks()).getByRole('link', exact(name));
      const href = await link.getAttribute('href');
      assert.ok(href, `nav link ${name} has an href`);
      const target = new URL(href, page.url()).pathname;
      let focused = false;
      for (let i = 0; i < 60 && !focused; i++) {
        await page.keyboard.press('Tab');
        focused = await link.evaluate((el) => el === document.activeElement);
      }
      assert.ok(focused, `could not reach the "${name}" link with Tab`);
      await page.keyboard.press('Enter');
      await waitForPath(target);
      await page.getByRole('main').getByRole('heading', { level: 1 }).first().waitFor();
    }
  });

  const unitName = `E2E-enhet ${Date.now().toString(36)}`;

  step('/units has no WCAG 2.1 A/AA violations', async () => {
    await ensureSignedIn();
    await page.goto(url('/units'));
    await page.getByRole('button', exact('Skapa enhet')).waitFor();
    await checkA11y('/units');
  });

  step('creating a unit shows it in the list', async () => {
    await ensureSignedIn();
    await ensureSwedish();
    await page.goto(url('/units'));
    await page.getByLabel('Namn', { exact: true }).fill(unitName);
    const parent = page.getByLabel('Överordnad enhet', { exact: true });
    const parentChoice = await chooseOption(parent);
    await chooseOption(page.getByLabel('Typ', { exact: true }),
      parentChoice ? /enhet|unit|förvaltning|department|administration/i : /organisation|kommun|municipality/i);
    await page.getByRole('button', exact('Skapa enhet')).click();
    await unitInList(unitName);
    // Still listed after a fresh load (it was stored, not only echoed).
    await page.goto(url('/units'));
    await unitInList(unitName);
  });

  step('the audit log records unit.create', async () => {
    await ensureSignedIn();
    await page.goto(url('/audit'));
    await page.getByRole('table').first().waitFor();
    // The action code may be shown as text or only as a title on a translated label.
    const rows = page.getByRole('row');
    await rows.filter({ hasText: 'unit.create' })
      .or(rows.filter({ has: page.locator('[title="unit.create"]') }))
      .first().waitFor();
    await checkA11y('/audit');
  });

  step('the language switches to English and back', async () => {
    await ensureSignedIn();
    await ensureSwedish();
    await page.getByRole('button', exact('English')).click();
    await waitForLang('en');
    let nav = await navLinks();
    for (const name of NAV_EN) await nav.getByRole('link', exact(name)).waitFor();
    await page.getByRole('button', exact('Sign out')).waitFor();
    await page.getByRole('button', exact('Svenska')).click();
    await waitForLang('sv');
    nav = await navLinks();
    for (const name of NAV_SV) await nav.getByRole('link', exact(name)).waitFor();
  });

  step('sign out returns to /login and ends the session', async () => {
    await ensureSignedIn();
    await ensureSwedish();
    await page.getByRole('button', exact('Logga ut')).click();
    await waitForPath('/login');
    await page.goto(url('/'));
    await waitForPath('/login');
  });

  step('no uncaught JavaScript errors', async () => {
    assert.deepEqual(pageErrors.map((e) => e.message), []);
  });
});
