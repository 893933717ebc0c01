import { expect, test } from '@jupyterlab/galata';

import { API, trainToEnd } from './jobs';

test.use({ viewport: { width: 1400, height: 900 } });

test.describe('After training', () => {
  test('the run view shows its model, uses the best epoch and opens the run as a notebook', async ({
    page,
    baseURL,
    tmpPath
  }) => {
    test.setTimeout(600 * 1000);
    const path = `${tmpPath}/digits`;
    const sample = await page.request.post(`${baseURL}/${API}/samples`, {
      data: { name: 'digits', path, per_class: 20 }
    });
    expect(sample.status()).toBe(201);
    // Whether the best epoch is the last one depends on the run: the test follows either case.
    const run = await trainToEnd(
      page,
      baseURL,
      { dataset: path, epochs: 3 },
      480 * 1000
    );
    expect(run.state).toBe('completed');
    const id = run.id;
    const models = run.result.models;

    await page.evaluate(async runId => {
      await (window as any).jupyterapp.commands.execute('dlcoach:open-run', {
        id: runId
      });
    }, id);
    const view = page.locator('.jp-DLCoach-runView');
    await expect(view.locator('.uplot')).toBeVisible({ timeout: 30 * 1000 });
    const part = view.locator('.jp-DLCoach-runModels');
    await expect(part.locator('.jp-DLCoach-modelPath')).toHaveText(models.last);

    if (models.best !== models.last) {
      // The best epoch was not the last: one click makes the run use its model.
      const use = part.locator('.jp-DLCoach-useBest');
      await expect(use).toHaveText(
        `Use the best epoch (${run.result.best.epoch + 1})`
      );
      await use.click();
      await expect(part.locator('.jp-DLCoach-modelPath')).toHaveText(
        models.best
      );
      await expect(part).toHaveAttribute('data-use', 'best');
      await expect(part.locator('.jp-DLCoach-useBest')).toHaveText(
        'Use the last epoch'
      );
    } else {
      await expect(part).toContainText('which is also the best');
      await expect(part.locator('.jp-DLCoach-useBest')).toHaveCount(0);
    }
    await page.screenshot({ path: 'screenshots/best-runview-light.png' });

    await part.locator('.jp-DLCoach-openNotebook').click();
    const notebook = page.locator('.jp-NotebookPanel');
    await expect(notebook).toBeVisible({ timeout: 30 * 1000 });
    const chosen = models.best !== models.last ? models.best : models.last;
    await expect(notebook.locator('.jp-Cell').last()).toBeVisible();
    // The notebook's cells arrive a moment after its panel shows: wait for them.
    const cellsText = () =>
      page.evaluate(() => {
        const panel = (window as any).jupyterapp.shell.currentWidget;
        return panel.content.model.sharedModel.cells
          .map((c: any) => c.getSource())
          .join('\n');
      });
    await expect
      .poll(cellsText, { timeout: 30 * 1000 })
      .toContain('learn.fit_one_cycle(3, 0.003, cbs=CoachCallback())');
    const text = await cellsText();
    expect(text).toContain(`load_learner('${chosen}')`);
    expect(text).toContain('valid_pct=0.2, seed=42');
    await page.screenshot({ path: 'screenshots/best-notebook-light.png' });

    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute(
        'apputils:change-theme',
        { theme: 'JupyterLab Dark' }
      );
    });
    await expect(page.locator('body[data-jp-theme-light="false"]')).toHaveCount(
      1,
      { timeout: 30 * 1000 }
    );
    await page.evaluate(async runId => {
      await (window as any).jupyterapp.commands.execute('dlcoach:open-run', {
        id: runId
      });
    }, id);
    await expect(view.locator('.jp-DLCoach-runModels')).toBeVisible();
    await page.screenshot({ path: 'screenshots/best-runview-dark.png' });
  });
});
