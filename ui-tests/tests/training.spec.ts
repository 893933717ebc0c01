import { expect, test } from '@jupyterlab/galata';

import { onlySections, PANEL } from './coachPanel';

/** The server's job list: the ground truth for "nothing was queued". */
async function serverJobs(
  page: any,
  baseURL: string | undefined
): Promise<any[]> {
  const response = await page.request.get(`${baseURL}/jupyterlab-dlcoach/jobs`);
  expect(response.ok()).toBeTruthy();
  return (await response.json()).jobs;
}

const SECTION = '#jp-DLCoach-trainingSection';

/** Open the panel with only the Training section expanded, so it has the panel's height. */
async function openTraining(page: any) {
  await onlySections(page, ['Training']);
  const section = page.locator(SECTION);
  await expect(section).toBeVisible();
  // The form is built from GET jobs/schema: it appears once that answered.
  await expect(section.locator('select[name="arch"]')).toBeVisible();
  return section;
}

test.use({ viewport: { width: 1400, height: 900 } });

test.describe('Training section', () => {
  test('makes the default sample and trains it with the form’s defaults', async ({
    page,
    tmpPath
  }) => {
    // Minutes, not seconds: the CI machine's two cores may be shared with other work.
    test.setTimeout(600 * 1000);
    const section = await openTraining(page);

    // The default sample is chosen, described in one line, and names the folder.
    const sample = section.locator('select[name="sample"]');
    const defaultSample = await sample.inputValue();
    expect(defaultSample).toBe('digits');
    await expect(section.locator('input[name="dataset"]')).toHaveValue(
      defaultSample
    );
    await expect(section.locator('.jp-DLCoach-sampleText')).toContainText(
      'handwritten digits'
    );
    // Nullable fields are empty, saying "automatic"; the rest shows the schema's defaults.
    await expect(section.locator('input[name="lr"]')).toHaveValue('');
    await expect(section.locator('input[name="lr"]')).toHaveAttribute(
      'placeholder',
      'automatic'
    );
    await expect(section.locator('input[name="epochs"]')).toHaveValue('3');
    await expect(section.locator('.jp-DLCoach-more')).not.toHaveAttribute(
      'open'
    );

    // Each test writes into its own folder (other tests' files share the server root).
    await section
      .locator('input[name="dataset"]')
      .fill(`${tmpPath}/${defaultSample}`);
    await section.getByRole('button', { name: 'Make sample images' }).click();
    const inspection = section.locator('.jp-DLCoach-inspection');
    await expect(inspection).toContainText('1,797 images', {
      timeout: 60 * 1000
    });
    await expect(inspection).toContainText('10 different');
    await expect(section.locator('.jp-DLCoach-recipe')).toHaveText(
      /\((fine_tune|fit_one_cycle)\)\.$/
    );
    await page.screenshot({ path: 'screenshots/training-form-light.png' });

    await section.getByRole('button', { name: 'Train', exact: true }).click();
    // The panel selects the job it just submitted (runs of other tests may be listed too).
    const submitted = section.locator(
      '.jp-DLCoach-run.jp-mod-selected:is([data-state="queued"], [data-state="running"])'
    );
    await expect(submitted).toHaveCount(1);
    const id = await submitted.getAttribute('data-run-id');
    const run = section.locator(`.jp-DLCoach-run[data-run-id="${id}"]`);
    // The server's name tells runs apart: data set, architecture, number.
    await expect(run.locator('.jp-DLCoach-runName')).toHaveText(
      /^digits · resnet18 · #\d+$/
    );
    await expect(run).toHaveAttribute('data-state', 'completed', {
      timeout: 540 * 1000
    });

    // The result is shown in the row, and the defaults learnt: well under 10 % error.
    const result = run.locator('.jp-DLCoach-runResult');
    await expect(result).toHaveText(/^\d+(\.\d)? % error$/);
    const error = parseFloat((await result.textContent()) ?? '100');
    expect(error).toBeLessThan(10);

    // The summary says what the trainer actually used.
    const summary = section.locator('.jp-DLCoach-runSummary');
    await expect(summary).toContainText('Training on the CPU');
    await expect(summary).toContainText(/\((fine_tune|fit_one_cycle)\)/);
    await expect(summary).toContainText('Batch size');
    await expect(summary).toContainText('Finished: the model gets');

    await summary.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'screenshots/training-run-light.png' });
    await page.theme.setDarkTheme();
    await summary.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'screenshots/training-run-dark.png' });
    await section.locator('input[name="dataset"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'screenshots/training-form-dark.png' });
    await page.theme.setLightTheme();

    // A glossary word in the run summary opens its entry.
    await summary
      .locator('.jp-DLCoach-termLink[data-term="validation-set"]')
      .click();
    await expect(page.locator(PANEL)).toContainText('Validation set');
  });

  test('a sample’s suggested settings go into the form, saying so', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(120 * 1000);
    const section = await openTraining(page);
    await section.locator('select[name="sample"]').selectOption('digits-noisy');
    // The folder follows the chosen sample until the learner types one.
    await expect(section.locator('input[name="dataset"]')).toHaveValue(
      'digits-noisy'
    );
    await section
      .locator('input[name="dataset"]')
      .fill(`${tmpPath}/digits-noisy`);
    await section.getByRole('button', { name: 'Make sample images' }).click();
    await expect(section.locator('.jp-DLCoach-inspection')).toContainText(
      '800 images',
      { timeout: 60 * 1000 }
    );
    await expect(section.locator('input[name="epochs"]')).toHaveValue('40');
    await expect(section.locator('input[name="lr"]')).toHaveValue('0.003');
    await expect(section.locator('.jp-DLCoach-more')).toHaveAttribute(
      'open',
      ''
    );
    await expect(section.locator('select[name="recipe"]')).toHaveValue('fit');
    await expect(section.locator('.jp-DLCoach-settingsNote')).toHaveText(
      'The settings suggested for this sample are now in the form: Epochs 40, Learning rate 0.003, Recipe fit, Validation share 0.5, Batch size 32.'
    );
    await expect(section.locator('.jp-DLCoach-recipe')).toHaveText(
      /40 epochs at a constant learning rate \(fit\)\.$/
    );
    await section.locator('.jp-DLCoach-settingsNote').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'screenshots/training-noisy-light.png' });

    // Changing the folder clears the check and the last message.
    await section.locator('input[name="dataset"]').fill(`${tmpPath}/other`);
    await expect(section.locator('.jp-DLCoach-inspection')).toHaveCount(0);
    await expect(section.locator('.jp-DLCoach-formMessage')).toHaveCount(0);
    await expect(section.locator('.jp-DLCoach-settingsNote')).toHaveCount(0);
  });

  test('a bad field is explained in the form’s words, and nothing is queued', async ({
    page,
    tmpPath,
    baseURL
  }) => {
    test.setTimeout(120 * 1000);
    const section = await openTraining(page);
    const before = (await serverJobs(page, baseURL)).length;
    const alert = section.locator('.jp-DLCoach-formMessage');
    const train = section.getByRole('button', { name: 'Train', exact: true });

    await section
      .locator('input[name="dataset"]')
      .fill(`${tmpPath}/does-not-exist`);
    await train.click();
    await expect(alert).toContainText(/^Images folder: .*does-not-exist/);
    expect(await serverJobs(page, baseURL)).toHaveLength(before);

    // A typo in a number is refused by the field's label, not silently replaced by a default.
    await section.locator('input[name="dataset"]').fill(`${tmpPath}/shapes`);
    await section.locator('select[name="sample"]').selectOption('shapes');
    await section.getByRole('button', { name: 'Make sample images' }).click();
    await expect(section.locator('.jp-DLCoach-inspection')).toBeVisible();
    await section.locator('input[name="lr"]').fill('fast');
    await train.click();
    await expect(alert).toHaveText(
      'Learning rate: type a number above 0 and at most 10, or leave it empty for automatic.'
    );
    await expect(section.locator('input[name="lr"]')).toHaveAttribute(
      'aria-invalid',
      'true'
    );
    expect(await serverJobs(page, baseURL)).toHaveLength(before);
    await section.locator('input[name="lr"]').fill('');

    // Labels from file names: the preview finds the classes the pattern gives …
    await section
      .locator('select[name="labels_from"]')
      .selectOption('filename');
    const pattern = section.locator('input[name="labels_pattern"]');
    await pattern.fill('^([a-z]+)_');
    const inspection = section.locator('.jp-DLCoach-inspection');
    await expect(inspection).toContainText('3 different');
    await expect(inspection).toContainText('circle');
    await expect(train).toBeEnabled();
    // … and a pattern that matches nothing blocks Train, saying why next to it.
    await pattern.fill('^zzz(.+)$');
    await expect(
      inspection.locator('[data-kind="regex_no_match"]')
    ).toBeVisible();
    await expect(train).toBeDisabled();
    await expect(section.locator('.jp-DLCoach-trainBlocked')).toBeVisible();
    await section.locator('select[name="labels_from"]').selectOption('folder');
    await expect(train).toBeEnabled();
    expect(await serverJobs(page, baseURL)).toHaveLength(before);
  });
});
