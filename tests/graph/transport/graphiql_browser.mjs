// Opens Flowgate's GraphiQL in headless Chromium with every host but 127.0.0.1 unresolvable, runs QUERY with
// the prefilled headers, saves a screenshot and prints one JSON line:
// {"headers": <Headers pane>, "result": <response pane>, "explorer": <explorer plugin shown once opened>,
//  "offHost": [URLs the page asked for on other hosts], "consoleErrors": [...]}.
// Exits 1, with what it saw on stderr, when GraphiQL does not render or the result does not appear in time.
//
// Usage: QUERY=<graphql> node graphiql_browser.mjs <npm prefix with playwright-core> <page URL> <screenshot.png>

import { createRequire } from 'node:module';
import { join } from 'node:path';

const TIMEOUT_MS = 20_000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const [prefix, url, screenshot] = process.argv.slice(2);
const query = process.env.QUERY;
if (!prefix || !url || !screenshot || !query) {
  console.error('usage: QUERY=<graphql> node graphiql_browser.mjs <npm prefix> <page URL> <screenshot.png>');
  process.exit(2);
}
const require = createRequire(join(prefix, 'package.json'));
const { chromium } = require('playwright-core');

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // No CDN can answer: any host but the gateway's fails to resolve at once.
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  ],
});
const offHost = [];
const consoleErrors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('request', (request) => {
    const { hostname, protocol } = new URL(request.url());
    if (hostname !== '127.0.0.1' && protocol !== 'data:') offHost.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));

  await page.goto(url, { headers: { Accept: 'text/html' } });
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');
  // CodeMirror 5 keeps its API on the element; typing would fight autocompletion.
  await page.evaluate((text) => {
    document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(text);
  }, query);
  const headers = await page.evaluate(
    () => document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')?.CodeMirror.getValue() ?? null,
  );
  await page.getByRole('button', { name: 'Show GraphiQL Explorer' }).click();
  const explorer = await page.locator('.graphiql-explorer-root').waitFor().then(() => true, () => false);
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(() => {
    const text = document.querySelector('.result-window .CodeMirror')?.CodeMirror.getValue() ?? '';
    return text.includes('"data"') || text.includes('"errors"');
  });
  const result = await page.evaluate(() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue());
  await page.screenshot({ path: screenshot });
  console.log(JSON.stringify({ headers, result, explorer, offHost, consoleErrors }));
} catch (error) {
  console.error(String(error), JSON.stringify({ offHost, consoleErrors }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
