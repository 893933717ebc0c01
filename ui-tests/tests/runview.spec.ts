import { expect, test } from '@jupyterlab/galata';

import { openPanel } from './coachPanel';

const API = 'jupyterlab-dlcoach';

/** Make a small digits sample and train it for `epochs` epochs through the REST API; the run's id. */
async function trainSmall(
  page: any,
  baseURL: string | undefined,
  path: string,
  epochs: number,
  extra: { [key: string]: unknown } = {}
): Promise<string> {
  const sample = await page.request.post(`${baseURL}/${API}/samples`, {
    data: { name: 'digits', path, per_class: 20 }
  });
  expect(sample.status()).toBe(201);
  const job = await page.request.post(`${baseURL}/${API}/jobs`, {
    data: { dataset: path, epochs, ...extra }
  });
  expect(job.ok()).toBeTruthy();
  return (await job.json()).id;
}

async function waitEnded(page: any, baseURL: string | undefined, id: string) {
  await expect
    .poll(
      async () => {
        const reply = await page.request.get(`${baseURL}/${API}/runs/${id}`);
        return (await reply.json()).state;
      },
      { timeout: 480 * 1000, intervals: [2000] }
    )
    .toMatch(/completed|failed|cancelled/);
}

async function openTraining(page: any) {
  await openPanel(page);
  await expect(page.locator('#jp-DLCoach-trainingSection')).toBeVisible();
}

test.use({ viewport: { width: 1400, height: 900 } });

test.describe('Run view', () => {
  test('opens beside the notebook, shows values on hover, compares, survives a reload', async ({
    page,
    baseURL,
    tmpPath
  }) => {
    test.setTimeout(600 * 1000);
    const first = await trainSmall(page, baseURL, `${tmpPath}/digits`, 2);
    const second = await trainSmall(page, baseURL, `${tmpPath}/digits2`, 1, {
      lr: 0.01
    });
    // A third job waits behind the others and is stopped before its first batch: a run with no points.
    const stopped = await trainSmall(page, baseURL, `${tmpPath}/digits3`, 1);
    await page.request.post(`${baseURL}/${API}/jobs/${stopped}/cancel`);
    await waitEnded(page, baseURL, first);
    await waitEnded(page, baseURL, second);

    await page.notebook.createNew('runview.ipynb');
    await openTraining(page);
    const row = page.locator(`.jp-DLCoach-run[data-run-id="${first}"]`);
    await row.locator('.jp-DLCoach-open').click({ timeout: 30 * 1000 });

    const view = page.locator('.jp-DLCoach-runView');
    await expect(view).toBeVisible();
    const plot = view.locator('.uplot');
    await expect(plot).toBeVisible({ timeout: 30 * 1000 });
    // Split to the right of the notebook: both visible, the run view on the right.
    const notebook = page.locator('.jp-NotebookPanel');
    await expect(notebook).toBeVisible();
    const nb = await notebook.boundingBox();
    const rv = await view.boundingBox();
    expect(rv.x).toBeGreaterThanOrEqual(nb.x + nb.width - 2);

    // Hover: the legend shows every series' value at the cursor.
    const over = view.locator('.u-over');
    const box = await over.boundingBox();
    await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
    const values = view.locator('.u-legend .u-series .u-value');
    await expect(values.nth(0)).not.toHaveText('–');
    await expect(values.nth(0)).toHaveText(/\d/);
    await page.screenshot({ path: 'screenshots/runview-light.png' });

    // Compare with the second run: its series join the legend and a "what changed" line appears.
    await view.locator('.jp-DLCoach-compare select').selectOption(second);
    await expect(view.locator('.jp-DLCoach-whatChanged')).toContainText(
      'Settings changed'
    );
    await expect(view.locator('.u-legend .u-series')).toHaveCount(9);

    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('apputils:change-theme', {
        theme: 'JupyterLab Dark'
      })
    );
    await expect(page.locator('body[data-jp-theme-light="false"]')).toHaveCount(
      1
    );
    await expect(plot).toBeVisible();
    await page.waitForTimeout(1000);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
    await page.screenshot({ path: 'screenshots/runview-dark.png' });

    // After a reload the view is back, beside the notebook, with its chart.
    await page.evaluate(() => window.location.reload());
    await expect(page.locator('.jp-DLCoach-runView .uplot')).toBeVisible({
      timeout: 60 * 1000
    });
    await expect(
      page.locator('.jp-DLCoach-runView .jp-DLCoach-runTitle')
    ).toBeVisible();
  });
});
