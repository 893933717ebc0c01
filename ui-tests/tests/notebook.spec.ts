import { expect, test } from '@jupyterlab/galata';

import { openPanel } from './coachPanel';

const CELL = [
  'from fastai.vision.all import ImageDataLoaders, Resize, error_rate, resnet18, vision_learner',
  'from jupyterlab_dlcoach import CoachCallback',
  'from jupyterlab_dlcoach.core.samples import shapes',
  "folder = shapes('nb-shapes', per_class=12, image_size=32)",
  'dls = ImageDataLoaders.from_folder(folder, valid_pct=0.25, seed=0, item_tfms=Resize(32), bs=8, num_workers=0)',
  'learn = vision_learner(dls, resnet18, pretrained=False, metrics=error_rate)',
  "print('before training')",
  "learn.fine_tune(2, cbs=CoachCallback(name='my first notebook run'))",
  "print('after training')"
].join('\n');

test.use({ viewport: { width: 1280, height: 1000 } });

test('CoachCallback shows a live view in the cell and the run in the panel', async ({
  page
}) => {
  test.setTimeout(240 * 1000);
  await page.notebook.createNew('coach.ipynb');
  await page.notebook.setCell(0, 'code', CELL);
  await page.notebook.runCell(0, true);

  const output = page
    .locator('.jp-OutputArea-output')
    .filter({ hasText: 'Coach:' });
  await expect(output.first()).toContainText('run completed', {
    timeout: 180 * 1000
  });
  await expect(output.first().locator('svg')).toBeVisible();
  // The cell's own prints survive the live view (no clear_output).
  const cellOutput = page.locator('.jp-Cell').first().locator('.jp-OutputArea');
  await expect(cellOutput).toContainText('before training');
  await expect(cellOutput).toContainText('after training');
  await page.locator('.jp-Cell').first().locator('.jp-OutputArea').screenshot({
    path: 'screenshots/notebook-widget-light.png'
  });

  // The same run is in the side panel's run list, as a notebook run.
  await openPanel(page);
  const run = page
    .locator('.jp-DLCoach-run', { hasText: 'my first notebook run' })
    .first();
  await expect(run).toHaveAttribute('data-state', 'completed');
  await expect(run.locator('.jp-DLCoach-runKind')).toHaveText('notebook');
});
