import { expect, test } from '@jupyterlab/galata';

/** A tiny from-scratch fine_tune: 24 shapes of 32 px, two epochs (one frozen, one not). */
function cell(name: string, extra = ''): string {
  return [
    'from fastai.vision.all import ImageDataLoaders, Resize, error_rate, resnet18, set_seed, vision_learner',
    'from jupyterlab_dlcoach import CoachCallback',
    'from jupyterlab_dlcoach.core.samples import shapes',
    "folder = shapes('nb-shapes', per_class=8, image_size=32)",
    'set_seed(1, reproducible=True)',
    'dls = ImageDataLoaders.from_folder(folder, valid_pct=0.25, seed=0, item_tfms=Resize(32), bs=8, num_workers=0)',
    'learn = vision_learner(dls, resnet18, pretrained=False, metrics=error_rate)',
    "print('before training')",
    `learn.fine_tune(1, cbs=CoachCallback(name='${name}'${extra}))`,
    "print('after training')"
  ].join('\n');
}

test.use({ viewport: { width: 1400, height: 900 } });

async function setTheme(page: any, theme: string) {
  await page.evaluate(
    (name: string) =>
      (window as any).jupyterapp.commands.execute('apputils:change-theme', {
        theme: name
      }),
    theme
  );
  await expect(
    page.locator(
      `body[data-jp-theme-light="${theme === 'JupyterLab Dark' ? 'false' : 'true'}"]`
    )
  ).toHaveCount(1);
}

/** The cell's coach output has drawn the run: its title, its state, and uPlot's chart. */
async function expectDrawn(page: any, state = 'completed') {
  const output = page.locator('.jp-DLCoach-runOutput');
  await expect(output).toHaveCount(1);
  await expect(output.locator('.jp-DLCoach-runTitle')).toHaveText(
    'my first notebook run',
    { timeout: 60 * 1000 }
  );
  await expect(output.locator('.jp-DLCoach-state')).toHaveText(state, {
    timeout: 180 * 1000
  });
  await expect(output.locator('.uplot')).toBeVisible({ timeout: 30 * 1000 });
  const box = await output.locator('.u-over').boundingBox();
  expect(box.width).toBeGreaterThan(400);
  expect(box.height).toBeGreaterThan(150);
  return output;
}

test.describe('A notebook cell that trains with CoachCallback', () => {
  test('draws the run view in its output, again after a reload, a kernel restart and a reopen', async ({
    page
  }) => {
    test.setTimeout(420 * 1000);
    await page.notebook.createNew('coach.ipynb');
    await page.notebook.setCell(0, 'code', cell('my first notebook run'));
    // Not awaited yet: the output must follow the run while it trains, from the push channel.
    const ran = page.notebook.runCell(0, true);
    const live = page.locator('.jp-DLCoach-runOutput');
    await expect(live.locator('.jp-DLCoach-state')).toHaveText('running', {
      timeout: 180 * 1000
    });
    await expect(live.locator('.jp-DLCoach-progress')).toBeVisible();
    await ran;

    const output = await expectDrawn(page);
    // One output of the coach; the cell's own prints survive it (nothing is cleared).
    const cellOutput = page.locator('.jp-OutputArea').filter({ has: output });
    await expect(cellOutput).toContainText('before training');
    await expect(cellOutput).toContainText('after training');
    // Hover: the legend gives the values at the cursor, as in the main area.
    const over = await output.locator('.u-over').boundingBox();
    await page.mouse.move(over.x + over.width - 3, over.y + over.height / 2);
    await expect(
      output.locator('.u-legend .u-series .u-value').first()
    ).toHaveText(/\d/);
    await output.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'screenshots/notebook-run-light.png' });
    await page.notebook.save();

    // A page reload: the notebook comes back and its output draws the run from the store.
    await page.evaluate(() => window.location.reload());
    await expect(page.locator('.jp-DLCoach-runOutput .uplot')).toBeVisible({
      timeout: 60 * 1000
    });
    await expectDrawn(page);

    // A kernel restart, then the notebook closed and opened again: still drawn.
    // Not awaited in the page: the command resolves only once its dialog is answered.
    await page.evaluate(() => {
      void (window as any).jupyterapp.commands.execute('kernelmenu:restart');
    });
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    await page.waitForTimeout(3000);
    await page.notebook.close(true);
    await page.notebook.open('coach.ipynb');
    const again = await expectDrawn(page);

    await setTheme(page, 'JupyterLab Dark');
    await expect(again.locator('.uplot')).toBeVisible();
    await page.waitForTimeout(1000);
    await again.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'screenshots/notebook-run-dark.png' });
    await setTheme(page, 'JupyterLab Light');

    // The cell's toolbar opens the same run in the main area, beside the notebook.
    await again
      .getByRole('button', { name: 'Open beside the notebook' })
      .click();
    await expect(page.locator('.jp-DLCoach-runView')).toHaveCount(2);
    await expect(
      page.locator('.lm-DockPanel-widget.jp-DLCoach-runView .uplot')
    ).toBeVisible({ timeout: 30 * 1000 });
  });

  test('a run the coach could not record says so and shows the kernel’s own summary', async ({
    page
  }) => {
    test.setTimeout(300 * 1000);
    await page.notebook.createNew('unrecorded.ipynb');
    await page.notebook.setCell(
      0,
      'code',
      cell('unrecorded run', ", db_path='/proc/dlcoach/runs.sqlite'")
    );
    await page.notebook.runCell(0, true);
    const output = page
      .locator('.jp-Cell')
      .first()
      .locator('.jp-DLCoach-runOutput');
    const note = output.locator('.jp-DLCoach-runOutputNote');
    await expect(note).toContainText('was not recorded by the coach', {
      timeout: 180 * 1000
    });
    await expect(note).toContainText('/proc/dlcoach/runs.sqlite');
    // The kernel's final text and picture stand in for the view.
    await expect(note.locator('pre')).toContainText(
      'unrecorded run · completed',
      {
        timeout: 60 * 1000
      }
    );
    await expect(note.locator('img')).toBeVisible();
    await expect(output.locator('.jp-DLCoach-runView')).toHaveCount(0);
    await note.scrollIntoViewIfNeeded();
    await page.screenshot({
      path: 'screenshots/notebook-unrecorded-light.png'
    });
  });
});
