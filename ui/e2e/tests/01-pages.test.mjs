// Home, search, dataset and job pages against a real receiver loaded with the CLL + airflow scenarios.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { artifact, launch, newPage, shot, url } from '../lib/browser.mjs';

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
});
afterEach(async (t) => {
  await artifact(page, t.name);
});
after(async () => {
  await browser?.close();
});

test('home lists recently active jobs and searches', async () => {
  await page.goto(url('/'));
  await page.getByRole('heading', { name: 'Recently active jobs' }).waitFor();
  await page.locator('.card table a').first().waitFor();
  await shot(page, 'home');
  const search = page.getByRole('combobox', { name: 'Search' });
  await search.fill('result');
  await page.getByRole('option', { name: /result\.csv/ }).waitFor();
  await shot(page, 'home-search');
  await search.press('Enter');
  await page.waitForURL(/\/search\?q=result/);
  await page.getByRole('link', { name: 'result.csv' }).waitFor();
  await shot(page, 'search-results');
});

test('dataset page shows schema, versions, lineage summary and facets', async () => {
  await page.goto(url(`datasets/${encodeURIComponent('gs://mock-bucket')}/${encodeURIComponent('test.csv')}`));
  await page.getByRole('heading', { name: 'test.csv' }).waitFor();
  await page.getByRole('heading', { name: 'Schema and versions' }).waitFor();
  await page.getByRole('cell', { name: 'a', exact: true }).waitFor();
  await page.getByRole('heading', { name: /Downstream/ }).waitFor();
  await page.getByRole('link', { name: 'BQ.upload' }).waitFor();
  await shot(page, 'dataset');
});

test('job page shows runs with a duration chart, inputs and outputs, and its parent', async () => {
  await page.goto(url('jobs/airflow/BQ.upload'));
  await page.getByRole('heading', { name: /BQ\.upload/ }).waitFor();
  await page.locator('[data-testid="duration-chart"] svg circle').first().waitFor();
  await page.getByRole('link', { name: 'test.csv' }).first().waitFor();
  await page.getByRole('link', { name: 'BQ', exact: true }).waitFor();
  await shot(page, 'job');
  await page.goto(url('jobs/airflow/BQ'));
  await page.getByRole('heading', { name: 'Children' }).waitFor();
  await page.getByRole('link', { name: 'BQ.upload' }).first().waitFor();
  assert.deepEqual(page.errors, []);
});
