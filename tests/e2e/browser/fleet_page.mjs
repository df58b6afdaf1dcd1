// The fleet HTML page in headless Chromium (playwright-core driving Debian's chromium): it
// loads from file:// with no console error and no request but its own, the figures it shows
// are those of the JSON report of the same run, the service table sorts and its rows open to
// their findings, the tables are there without JavaScript, and a screenshot is kept.
//
// node fleet_page.mjs PLAYWRIGHT_CORE_DIR CHROMIUM PAGE.html REPORT.json SCREENSHOT.png
// Prints "ok NAME" or "FAIL NAME: detail" per check; exit 0 when it could run them all.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [playwrightDir, chromiumPath, pagePath, jsonPath, screenshotPath] = process.argv.slice(2);
const require = createRequire(playwrightDir + '/');
const { chromium } = require('playwright-core');
const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
const url = pathToFileURL(pagePath).href;

let failures = 0;
function check(name, ok, detail = '') {
  if (ok) console.log(`ok ${name}`);
  else { failures++; console.log(`FAIL ${name}: ${detail}`); }
}
const percent = (passed, services) => services ? (100 * passed / services) : 0;
const closeTo = (text, value) => Math.abs(parseFloat(text) - value) <= 0.051;

const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url, { waitUntil: 'load' });

  check('no console error', errors.length === 0, errors.join(' | '));
  check('no request but the page itself', requests.length === 1 && requests[0] === url,
        requests.join(' '));

  const metric = (name) => page.locator(`dl.cards [data-metric="${name}"]`).innerText();
  const s = report.summary;
  check('repositories shown = JSON', Number(await metric('repositories')) === s.repositories,
        `${await metric('repositories')} vs ${s.repositories}`);
  for (const key of ['services', 'passed', 'failed', 'errors'])
    check(`${key} shown = JSON`, Number(await metric(key)) === s[key], `${await metric(key)} vs ${s[key]}`);
  check('pass rate shown = JSON', closeTo(await metric('pass-rate'), 100 * s.pass_rate),
        `${await metric('pass-rate')} vs ${s.pass_rate}`);
  for (let level = 0; level <= 5; level++) {
    const shown = Number(await page.locator(`#levels [data-metric="level-${level}"]`).innerText());
    check(`level ${level} shown = JSON`, shown === s.levels[level], `${shown} vs ${s.levels[level]}`);
  }

  // The heat map: one row per team, with its services and pass rate.
  check('one heat map row per team', await page.locator('#heatmap tbody tr').count() === report.teams.length);
  for (const team of report.teams) {
    const row = page.locator('#heatmap tbody tr').filter({ has: page.locator(`th:text-is("${team.team}")`) });
    const services = Number(await row.locator('[data-metric="services"]').innerText());
    check(`team ${team.team}: services = JSON`, services === team.services, `${services} vs ${team.services}`);
    const rate = await row.locator('[data-metric="pass-rate"]').innerText();
    check(`team ${team.team}: pass rate = JSON`, closeTo(rate, percent(team.passed, team.services)), rate);
  }
  // The rules failing most.
  for (const rule of report.rules.slice(0, 20)) {
    const shown = Number(await page.locator(`#rules tr[data-rule="${rule.rule}"] [data-metric="services"]`).innerText());
    check(`rule ${rule.rule}: services = JSON`, shown === rule.services, `${shown} vs ${rule.services}`);
  }
  // The trend chart: a marker per point with services.
  if (report.trend) {
    const markers = await page.locator('#trend-chart circle').count();
    const expected = report.trend.points.filter((p) => p.services > 0).length;
    check('a chart marker per trend point', markers === expected, `${markers} vs ${expected}`);
  }

  // The service table: a row per service, each with the JSON's outcome and failed rules.
  const rows = page.locator('#services tbody tr');
  check('a row per service', await rows.count() === report.services.length,
        `${await rows.count()} vs ${report.services.length}`);
  for (const service of report.services) {
    const row = page.locator(`#services tbody tr[data-repository="${service.repository}"][data-manifest="${service.manifest}"]`);
    const outcome = (await row.locator('td').nth(4).innerText()).trim();
    check(`${service.repository}:${service.manifest} outcome`, outcome.endsWith(service.outcome), outcome);
  }

  // Sorting by level: ascending, then descending, on the header's button.
  const levels = async () => (await page.locator('#services tbody tr td:nth-of-type(4)').evaluateAll(
    (cells) => cells.map((cell) => Number(cell.getAttribute('data-sort')))));
  await page.locator('#services thead th', { hasText: 'Level' }).locator('button').click();
  const up = await levels();
  check('sorted by level, ascending', up.every((v, i) => i === 0 || up[i - 1] <= v), up.join(','));
  check('the header says ascending',
        await page.locator('#services thead th', { hasText: 'Level' }).getAttribute('aria-sort') === 'ascending');
  await page.locator('#services thead th', { hasText: 'Level' }).locator('button').click();
  const down = await levels();
  check('sorted by level, descending', down.every((v, i) => i === 0 || down[i - 1] >= v), down.join(','));
  await page.locator('#services thead th', { hasText: 'Repository' }).locator('button').click();
  const names = await page.locator('#services tbody tr td:first-child').allInnerTexts();
  check('sorted by repository', names.every((v, i) => i === 0 || names[i - 1].localeCompare(v) <= 0), names.join(','));

  // Drill-down: a failing service's findings open, each with its fix.
  const failing = report.services.find((service) => service.failing.length > 0);
  if (failing) {
    const row = page.locator(`#services tbody tr[data-repository="${failing.repository}"][data-manifest="${failing.manifest}"]`);
    const first = row.locator('details li').first();
    check('findings hidden until opened', !(await first.isVisible()));
    await row.locator('details summary').click();
    check('findings shown once opened', await first.isVisible());
    const rules = await row.locator('details li').evaluateAll((items) => items.map((li) => li.getAttribute('data-rule')));
    check('the findings are the JSON failing rules', JSON.stringify(rules) === JSON.stringify(failing.failing.map((f) => f.rule)),
          rules.join(','));
    const fix = await first.innerText();
    check('each finding shows its fix', fix.includes('Fix:') && fix.includes(failing.failing[0].help.slice(0, 20)), fix);
  }
  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(`screenshot ${screenshotPath}`);

  // Without JavaScript the tables are all there.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const plainPage = await plain.newPage();
  await plainPage.goto(url, { waitUntil: 'load' });
  check('without JavaScript: every service row', await plainPage.locator('#services tbody tr').count() === report.services.length);
  check('without JavaScript: the heat map', await plainPage.locator('#heatmap tbody tr').count() === report.teams.length);
  // Printable: the print media keeps the tables.
  await page.emulateMedia({ media: 'print' });
  check('printed: the service table is shown', await page.locator('#services').isVisible());
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
