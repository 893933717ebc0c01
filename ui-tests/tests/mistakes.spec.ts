import { expect, test } from '@jupyterlab/galata';

import { API, trainToEnd } from './jobs';

test.use({ viewport: { width: 1400, height: 900 } });

/** The noisy digits, small: 80 scans, half validating, two one-cycle epochs from scratch. */
async function trainNoisy(
  page: any,
  baseURL: string | undefined,
  path: string
) {
  const sample = await page.request.post(`${baseURL}/${API}/samples`, {
    data: { name: 'digits-noisy', path, per_class: 8 }
  });
  expect(sample.status()).toBe(201);
  const run = await trainToEnd(
    page,
    baseURL,
    {
      dataset: path,
      arch: 'resnet18',
      pretrained: false,
      recipe: 'fit_one_cycle',
      lr: 0.003,
      epochs: 2,
      valid_pct: 0.5,
      batch_size: 8,
      image_size: 32,
      num_workers: 0
    },
    780 * 1000
  );
  expect(run.error).toBeNull();
  return run.id;
}

async function exists(page: any, baseURL: string | undefined, path: string) {
  const reply = await page.request.get(
    `${baseURL}/api/contents/${path}?content=0`
  );
  return reply.status() === 200;
}

test('the run view shows the mistakes; a wrong label is moved and the move undone', async ({
  page,
  baseURL,
  tmpPath
}) => {
  test.setTimeout(900 * 1000);
  const id = await trainNoisy(page, baseURL, `${tmpPath}/noisy`);
  await page.notebook.createNew('mistakes.ipynb');
  await page.evaluate(
    (run: string) =>
      // The command's answer is the widget itself: not something to send back to the test.
      (window as any).jupyterapp.commands
        .execute('dlcoach:open-run', { id: run })
        .then(() => undefined),
    id
  );
  const view = page.locator('.jp-DLCoach-runView');
  const summary = view.locator('.jp-DLCoach-mistakes > summary');
  await expect(summary).toContainText('of 40 validation images wrong', {
    timeout: 30 * 1000
  });
  await summary.click();
  const table = view.locator('.jp-DLCoach-confusion');
  await expect(table).toBeVisible();
  await expect(table.locator('thead th')).toHaveCount(11);
  await expect(table.locator('td.jp-DLCoach-confusionRight')).toHaveCount(10);
  const cards = view.locator('.jp-DLCoach-lossCard');
  await expect(cards).toHaveCount(16);
  await expect(cards.first()).toContainText(/actual: \d · predicted: \d/);
  await expect(cards.first()).toContainText(/\d+ % sure · loss \d/);
  // The thumbnails come through Jupyter's authenticated /files route, and load.
  const thumb = cards.first().locator('img');
  await expect
    .poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);

  await summary.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'screenshots/mistakes-light.png' });
  await cards.nth(4).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'screenshots/mistakes-grid-light.png' });

  // Move the worst one to the class the model predicted; the file moves; undo brings it back.
  const reply = await page.request.get(`${baseURL}/${API}/runs/${id}`);
  const worst = (await reply.json()).result.interpretation.top_losses[0];
  const card = cards.first();
  const target = worst.predicted !== worst.actual ? worst.predicted : '0';
  await card.locator('select').selectOption(target);
  await card.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(card.locator('.jp-DLCoach-lossDone')).toContainText(
    `Moved to ${target}.`
  );
  await expect(view.locator('.jp-DLCoach-mistakesNote')).toContainText(
    'Train again'
  );
  const name = worst.path.split('/').pop();
  expect(await exists(page, baseURL, worst.path)).toBe(false);
  expect(
    await exists(page, baseURL, `${tmpPath}/noisy/${target}/${name}`)
  ).toBe(true);
  await expect
    .poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);
  await card.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(
    card.getByRole('button', { name: 'Move', exact: true })
  ).toBeVisible();
  expect(await exists(page, baseURL, worst.path)).toBe(true);

  // Remove the second one: it goes beside the data set, not in it.
  const second = cards.nth(1);
  await second.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(second.locator('.jp-DLCoach-lossDone')).toContainText(
    'noisy-removed/'
  );

  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Dark'
    })
  );
  await expect(page.locator('body[data-jp-theme-light="false"]')).toHaveCount(
    1
  );
  await page.waitForTimeout(1000);
  await summary.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'screenshots/mistakes-dark.png' });
  await cards.nth(4).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'screenshots/mistakes-grid-dark.png' });
  await second.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(
    second.getByRole('button', { name: 'Remove', exact: true })
  ).toBeVisible();
});
