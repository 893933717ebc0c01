import { expect, test } from '@jupyterlab/galata';

/** The server's job list: the ground truth for "nothing was queued". */
async function serverJobs(
  page: any,
  baseURL: string | undefined
): Promise<any[]> {
  const response = await page.request.get(`${baseURL}/jupyterlab-dlcoach/jobs`);
  expect(response.ok()).toBeTruthy();
  return (await response.json()).jobs;
}

const PANEL = '#jp-DLCoach-panel';
const SECTION = '#jp-DLCoach-trainingSection';

/** Open the panel with only the Training section expanded, so it has the panel's height. */
async function openTraining(page: any) {
  await page
    .locator('.jp-SideBar.jp-mod-left [data-id="jp-DLCoach-panel"]')
    .click();
  const titles = page.locator(`${PANEL} .jp-AccordionPanel-title`);
  for (let i = 0; i < (await titles.count()); i++) {
    const title = titles.nth(i);
    const isTraining = (await title.textContent())?.includes('Training');
    const expanded = (await title.getAttribute('aria-expanded')) === 'true';
    if (isTraining !== expanded) {
      await title.click();
    }
  }
  const section = page.locator(SECTION);
  await expect(section).toBeVisible();
  return section;
}

test.use({ viewport: { width: 1280, height: 1100 } });

test.describe('Training section', () => {
  test('trains the built-in sample from the panel and plots it live', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(240 * 1000);
    const section = await openTraining(page);
    const folder = `${tmpPath}/shapes`;

    await section.locator('input[name="dataset"]').fill(folder);
    await section.getByRole('button', { name: 'Make sample images' }).click();
    await expect(section.locator('.jp-DLCoach-inspection')).toContainText(
      '120 images'
    );
    await expect(section.locator('.jp-DLCoach-inspection')).toContainText(
      'circle (40)'
    );

    await section.locator('input[name="epochs"]').fill('1');
    await section.locator('input[name="image_size"]').fill('32');
    await section.getByRole('button', { name: 'Train', exact: true }).click();

    // The panel selects the job it just submitted (runs of other tests may be listed too).
    const submitted = section.locator(
      '.jp-DLCoach-run.jp-mod-selected:is([data-state="queued"], [data-state="running"])'
    );
    await expect(submitted).toHaveCount(1);
    const id = await submitted.getAttribute('data-run-id');
    const run = section.locator(`.jp-DLCoach-run[data-run-id="${id}"]`);
    await expect(run).toHaveAttribute('data-state', 'running', {
      timeout: 60 * 1000
    });
    // The chart appears with the first pushed events, while the job still runs.
    await expect(section.locator('.jp-DLCoach-chart canvas')).toBeVisible({
      timeout: 90 * 1000
    });
    await expect(run).toHaveAttribute('data-state', 'completed', {
      timeout: 180 * 1000
    });

    // fine_tune(1) is one frozen epoch and one unfrozen one: both are in the legend's data.
    const summary = section.locator('.jp-DLCoach-runSummary');
    await expect(summary).toContainText('Training on the CPU');
    await expect(summary).toContainText('Finished: the model gets');
    await expect(section.locator('.jp-DLCoach-chart')).toHaveAttribute(
      'aria-label',
      /2 epochs finished/
    );
    await page
      .locator(PANEL)
      .screenshot({ path: 'screenshots/training-light.png' });
    await page.theme.setDarkTheme();
    await page
      .locator(PANEL)
      .screenshot({ path: 'screenshots/training-dark.png' });
    await page.theme.setLightTheme();

    // A glossary word in the run summary opens its entry.
    await summary
      .locator('.jp-DLCoach-termLink[data-term="validation-set"]')
      .click();
    await expect(page.locator(PANEL)).toContainText('Validation set');

    // A finished run can be forgotten.
    await run.getByRole('button', { name: 'Delete' }).click();
    await expect(run).toHaveCount(0);
  });

  test('a bad field is explained, and nothing is queued', async ({
    page,
    tmpPath,
    baseURL
  }) => {
    const section = await openTraining(page);
    const before = (await serverJobs(page, baseURL)).length;
    await section
      .locator('input[name="dataset"]')
      .fill(`${tmpPath}/does-not-exist`);
    await section.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(
      section.locator('.jp-DLCoach-trainForm [role="alert"]')
    ).toContainText('does-not-exist');
    expect(await serverJobs(page, baseURL)).toHaveLength(before);

    // A typo in a number is refused by name, not silently replaced by a default.
    await section.locator('input[name="dataset"]').fill(`${tmpPath}/shapes`);
    await section.getByRole('button', { name: 'Make sample images' }).click();
    await expect(section.locator('.jp-DLCoach-inspection')).toBeVisible();
    await section.locator('input[name="lr"]').fill('fast');
    await section.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(
      section.locator('.jp-DLCoach-trainForm [role="alert"]')
    ).toContainText('lr');
    expect(await serverJobs(page, baseURL)).toHaveLength(before);
  });
});
