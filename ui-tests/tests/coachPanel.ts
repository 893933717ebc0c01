/**
 * Opening the DL Coach side panel and choosing which of its sections are expanded: the steps every
 * spec starts with, said once.
 */
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';

export const PANEL = '#jp-DLCoach-panel';
export const PANEL_TAB = '.jp-SideBar.jp-mod-left [data-id="jp-DLCoach-panel"]';

/** Show the panel; a click on the tab of a panel already open would close it. */
export async function openPanel(page: IJupyterLabPageFixture): Promise<void> {
  if (!(await page.locator(PANEL).isVisible())) {
    await page.locator(PANEL_TAB).click();
  }
  await expect(page.locator(PANEL)).toBeVisible();
}

/** Open the panel and expand only the sections whose titles hold one of `labels`. */
export async function onlySections(
  page: IJupyterLabPageFixture,
  labels: string[]
): Promise<void> {
  await openPanel(page);
  const titles = page.locator(`${PANEL} .jp-AccordionPanel-title`);
  for (const label of labels) {
    await expect(titles.filter({ hasText: label })).toHaveCount(1);
  }
  for (const title of await titles.all()) {
    const text = (await title.textContent()) ?? '';
    const wanted = labels.some(label => text.includes(label));
    if (wanted !== ((await title.getAttribute('aria-expanded')) === 'true')) {
      await title.click();
    }
    await expect(title).toHaveAttribute(
      'aria-expanded',
      wanted ? 'true' : 'false'
    );
  }
}
