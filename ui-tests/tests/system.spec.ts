import { expect, test } from '@jupyterlab/galata';

import { PANEL, PANEL_TAB } from './coachPanel';

async function serverSystem(page: any, baseURL: string | undefined) {
  const response = await page.request.get(
    `${baseURL}/jupyterlab-dlcoach/system`
  );
  expect(response.ok()).toBeTruthy();
  return response.json();
}

test.describe('DL Coach panel', () => {
  test('opens from the left sidebar and shows what the server reports', async ({
    page,
    baseURL
  }) => {
    const tab = page.locator(PANEL_TAB);
    await expect(tab).toBeVisible();
    await tab.click();
    const panel = page.locator(PANEL);
    await expect(panel).toBeVisible();

    const system = await serverSystem(page, baseURL);
    const section = panel.locator('.jp-DLCoach-system');
    await expect(section.locator('.jp-DLCoach-device')).toHaveAttribute(
      'data-device',
      system.device
    );
    for (const library of ['torch', 'torchvision', 'fastai']) {
      await expect(
        section.locator(`tr[data-library="${library}"] td`)
      ).toHaveText(system.versions[library]);
    }
    if (system.device === 'cpu') {
      await expect(section.locator('.jp-DLCoach-device')).toContainText('CPU');
    } else {
      await expect(section.locator('.jp-DLCoach-gpu')).toHaveCount(
        system.gpus.length
      );
    }
    await panel.screenshot({ path: 'screenshots/panel-system.png' });
  });

  test('opens from the command palette', async ({ page }) => {
    // Start from another left-area panel so that opening ours is observable.
    await page.sidebar.openTab('filebrowser');
    await expect(page.locator(PANEL)).toBeHidden();

    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#modal-command-palette');
    await expect(palette).toBeVisible();
    await palette.locator('input').fill('DL Coach: Open panel');
    await palette
      .locator('.lm-CommandPalette-item', { hasText: 'DL Coach: Open panel' })
      .first()
      .click();
    await expect(page.locator(PANEL)).toBeVisible();
  });
});

test('the System section lists the pretrained weights and explains a failed download', async ({
  page,
  baseURL
}) => {
  const response = await page.request.get(
    `${baseURL}/jupyterlab-dlcoach/weights`
  );
  expect(response.ok()).toBeTruthy();
  const server = await response.json();
  await page
    .locator('.jp-SideBar.jp-mod-left [data-id="jp-DLCoach-panel"]')
    .click();
  const weights = page.locator('.jp-DLCoach-system .jp-DLCoach-weightsTable');
  await expect(weights.locator('tr')).toHaveCount(server.weights.length);
  for (const entry of server.weights) {
    await expect(
      weights.locator(`tr[data-arch="${entry.arch}"]`)
    ).toHaveAttribute('data-cached', String(entry.cached));
  }

  // The test server's downloads can reach only a closed local port: offline, in a few seconds.
  const row = weights.locator('tr[data-arch="squeezenet1_1"]');
  await row.getByRole('button', { name: 'Get pretrained weights' }).click();
  const alert = row.getByRole('alert');
  await expect(alert).toContainText('cannot reach', { timeout: 15000 });
  await expect(row.locator('.jp-DLCoach-advice')).toContainText(
    'squeezenet1_1-b8a52dc0.pth'
  );
  await expect(
    row.getByRole('button', { name: 'Get pretrained weights' })
  ).toBeVisible();
  await expect(row).toHaveAttribute('data-cached', 'false');
});

test('the open panel is restored after a reload', async ({ page }) => {
  await page
    .locator('.jp-SideBar.jp-mod-left [data-id="jp-DLCoach-panel"]')
    .click();
  await expect(page.locator(PANEL)).toBeVisible();
  // The layout restorer saves the workspace after a short debounce.
  await page.waitForTimeout(2000);
  await page.reload();
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
  await expect(page.locator(PANEL)).toBeVisible();
  await expect(
    page.locator('.jp-DLCoach-system .jp-DLCoach-device')
  ).toBeVisible();
});

test.describe('README picture', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('JupyterLab with a notebook and the coach panel', async ({ page }) => {
    await page.notebook.createNew('lesson1.ipynb');
    await page.notebook.setCell(0, 'code', 'from fastai.vision.all import *');
    await page.notebook.addCell(
      'code',
      'learn = vision_learner(dls, resnet34, metrics=error_rate)'
    );
    await page
      .locator('.jp-SideBar.jp-mod-left [data-id="jp-DLCoach-panel"]')
      .click();
    await page.keyboard.press('Escape');
    await expect(page.locator('.jp-DLCoach-modeBadge')).toContainText(
      'Command mode'
    );
    await page.screenshot({ path: 'screenshots/lab-with-panel.png' });
  });
});
