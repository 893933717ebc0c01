import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const PANEL = '#jp-DLCoach-panel';

test.use({ viewport: { width: 1400, height: 900 } });

/** Each section of the panel: its id and height as laid out. */
async function sections(page: IJupyterLabPageFixture) {
  return page.locator(`${PANEL} .jp-DLCoach-section`).evaluateAll(nodes =>
    nodes.map(node => ({
      id: node.id,
      height: Math.round(node.getBoundingClientRect().height)
    }))
  );
}

test('the side panel at 1400x900: the mode coach shows its shortcuts, the form has room', async ({
  page
}) => {
  await page.notebook.createNew('layout.ipynb');
  await page
    .locator('.jp-SideBar.jp-mod-left [data-id="jp-DLCoach-panel"]')
    .click();
  await expect(page.locator(PANEL)).toBeVisible();
  // Command mode: the mode coach lists that mode's shortcuts.
  await page
    .locator('.jp-NotebookPanel .jp-Cell .jp-InputPrompt')
    .first()
    .click();
  const shortcuts = page.locator(
    '#jp-DLCoach-modeSection .jp-DLCoach-shortcuts'
  );
  await expect(shortcuts).toBeVisible();
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'screenshots/panel-1400x900-light.png' });

  // The list's heading and its first rows (how to switch modes and run a cell) are in sight as laid
  // out, without scrolling inside the section; the whole list is longer than a sidebar section.
  const section = await page.locator('#jp-DLCoach-modeSection').boundingBox();
  const rows = shortcuts.locator('tr');
  for (const row of [rows.nth(0), rows.nth(1)]) {
    const box = await row.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(
      section!.y + section!.height
    );
  }
  const sized = Object.fromEntries(
    (await sections(page)).map(s => [s.id, s.height])
  );
  expect(sized['jp-DLCoach-modeSection']).toBeGreaterThanOrEqual(280);
  expect(sized['jp-DLCoach-trainingSection']).toBeGreaterThanOrEqual(250);
  await expect(
    page.locator('#jp-DLCoach-glossarySection input').first()
  ).toBeInViewport();

  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Dark'
    })
  );
  await expect(page.locator('body[data-jp-theme-light="false"]')).toHaveCount(
    1
  );
  await page.waitForTimeout(1000);
  await page.screenshot({ path: 'screenshots/panel-1400x900-dark.png' });
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Light'
    })
  );
});
