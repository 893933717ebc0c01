import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { onlySections, openPanel, PANEL } from './coachPanel';

const SECTION = '#jp-DLCoach-modeSection';
const COMMAND_SELECTOR =
  '.jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus';

/** Put the keyboard focus on cell `index` in command mode. */
async function focusCell(page: IJupyterLabPageFixture, index: number) {
  await page
    .locator('.jp-NotebookPanel:visible .jp-Cell')
    .nth(index)
    .locator('.jp-InputPrompt')
    .click();
  await expect(
    page.locator('.jp-NotebookPanel:visible .jp-Notebook')
  ).toHaveClass(/jp-mod-commandMode/);
}

/** The mode the notebook itself is in, from its CSS class. */
async function notebookMode(page: IJupyterLabPageFixture) {
  const classes = await page
    .locator('.jp-NotebookPanel:visible .jp-Notebook')
    .getAttribute('class');
  return classes!.includes('jp-mod-editMode') ? 'edit' : 'command';
}

/** Collapse the panel's other sections, so that the mode coach has the height. */
async function onlyModeSection(page: IJupyterLabPageFixture) {
  await onlySections(page, ['Mode coach']);
}

/** Screenshot the panel with the mode coach scrolled to its top. */
async function shoot(page: IJupyterLabPageFixture, name: string) {
  await page
    .locator(`${SECTION} .jp-DLCoach-mode`)
    .evaluate(node => node.scrollTo(0, 0));
  await page.locator(PANEL).screenshot({ path: `screenshots/${name}.png` });
}

async function setUserShortcuts(
  page: IJupyterLabPageFixture,
  shortcuts: Record<string, unknown>[]
) {
  await page.evaluate(async shortcuts => {
    const registry = await window.galata.getPlugin(
      '@jupyterlab/apputils-extension:settings'
    );
    await registry!.set(
      '@jupyterlab/shortcuts-extension:shortcuts',
      'shortcuts',
      shortcuts as any
    );
  }, shortcuts);
}

test.describe('Mode coach', () => {
  test('the badge and the shortcut list follow the notebook mode', async ({
    page
  }) => {
    await openPanel(page);
    await onlyModeSection(page);
    const section = page.locator(SECTION);
    const badge = section.locator('.jp-DLCoach-modeBadge');
    await expect(badge).toHaveAttribute('aria-live', 'polite');

    // Close what the workspace opened, so that no notebook is active.
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('application:close-all');
    });
    await expect(badge).toHaveAttribute('data-mode', 'none');
    await expect(badge).toContainText('No notebook open');

    // A new notebook starts with its first cell in edit mode in JupyterLab 4.6: the badge says
    // what the notebook says.
    await page.notebook.createNew('mode.ipynb');
    await expect(badge).toHaveAttribute('data-mode', await notebookMode(page));
    await expect(badge).toContainText('mode.ipynb');

    await focusCell(page, 0);
    await expect(badge).toHaveAttribute('data-mode', 'command');
    await expect(badge).toContainText('Command mode');
    const shortcuts = section.locator('.jp-DLCoach-shortcuts');
    await expect(shortcuts.locator('h3')).toHaveText(
      'Shortcuts in command mode'
    );
    await expect(
      shortcuts.locator('tr[data-command="notebook:delete-cell"]')
    ).toContainText('D');
    await expect(
      shortcuts.locator('tr[data-command="notebook:enter-command-mode"]')
    ).toHaveCount(0);

    await focusCell(page, 0);
    await page.keyboard.press('Enter');
    await expect(badge).toHaveAttribute('data-mode', 'edit');
    await expect(badge).toContainText('Edit mode');
    await expect(shortcuts.locator('h3')).toHaveText('Shortcuts in edit mode');
    await expect(
      shortcuts
        .locator('tr[data-command="notebook:enter-command-mode"] kbd')
        .first()
    ).toHaveText('Esc');
    await expect(
      shortcuts.locator('tr[data-command="notebook:delete-cell"]')
    ).toHaveCount(0);
    await shoot(page, 'mode-edit-light');

    await page.keyboard.press('Escape');
    await expect(badge).toHaveAttribute('data-mode', 'command');
    await shoot(page, 'mode-command-light');

    // Shift+Enter on the last cell runs it, adds a cell and stays in edit mode there.
    await page.keyboard.press('Enter');
    await page.keyboard.type('1 + 1');
    await page.keyboard.press('Shift+Enter');
    await expect(
      page.locator('.jp-NotebookPanel:visible .jp-Cell')
    ).toHaveCount(2);
    await expect(badge).toHaveAttribute('data-mode', 'edit');

    // On a cell with one below, it runs and moves on in command mode.
    await focusCell(page, 0);
    await page.keyboard.press('Enter');
    await expect(badge).toHaveAttribute('data-mode', 'edit');
    await page.keyboard.press('Shift+Enter');
    await expect(badge).toHaveAttribute('data-mode', 'command');
    await expect(
      page.locator('.jp-NotebookPanel:visible .jp-Cell').nth(1)
    ).toHaveClass(/jp-mod-active/);

    // A click into a cell's editor is edit mode too.
    await page
      .locator('.jp-NotebookPanel:visible .jp-Cell')
      .nth(0)
      .locator('.cm-content')
      .click();
    await expect(badge).toHaveAttribute('data-mode', 'edit');

    // Switching notebooks follows the other notebook's mode.
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('notebook:create-new', {
        kernelName: 'python3'
      });
    });
    await expect(badge).toContainText('Untitled');
    await expect(
      page.locator('.jp-NotebookPanel:visible .jp-Cell')
    ).toHaveCount(1);
    await focusCell(page, 0);
    await expect(badge).toHaveAttribute('data-mode', 'command');
    await page.notebook.activate('mode.ipynb');
    await expect(badge).toContainText('mode.ipynb');
    await expect(badge).toHaveAttribute('data-mode', await notebookMode(page));

    // The full list on demand.
    const showAll = shortcuts.locator('.jp-DLCoach-showAll');
    const essential = await shortcuts.locator('tr').count();
    await showAll.click();
    await expect(showAll).toHaveAttribute('aria-expanded', 'true');
    expect(await shortcuts.locator('tr').count()).toBeGreaterThan(essential);
    await showAll.click();
    await expect(shortcuts.locator('tr')).toHaveCount(essential);

    // Dark theme.
    await page.theme.setDarkTheme();
    await focusCell(page, 0);
    await expect(badge).toHaveAttribute('data-mode', 'command');
    await shoot(page, 'mode-command-dark');
    await page.keyboard.press('Enter');
    await expect(badge).toHaveAttribute('data-mode', 'edit');
    await shoot(page, 'mode-edit-dark');
  });

  test('a remapped shortcut shows at once', async ({ page }) => {
    await openPanel(page);
    await page.notebook.createNew('remap.ipynb');
    await focusCell(page, 0);
    const row = page.locator(
      `${SECTION} tr[data-command="notebook:insert-cell-below"]`
    );
    await expect(row.locator('kbd')).toHaveText(['B']);

    await setUserShortcuts(page, [
      {
        command: 'notebook:insert-cell-below',
        keys: ['B'],
        selector: COMMAND_SELECTOR,
        disabled: true
      },
      {
        command: 'notebook:insert-cell-below',
        keys: ['N'],
        selector: COMMAND_SELECTOR
      }
    ]);
    await expect(row.locator('kbd')).toHaveText(['N']);

    // The new key works, and the explanation names the learner's keys.
    await focusCell(page, 0);
    await page.keyboard.press('n');
    await expect(
      page.locator('.jp-NotebookPanel:visible .jp-Cell')
    ).toHaveCount(2);
    await expect(
      page.locator(`${SECTION} .jp-DLCoach-happenedHint`)
    ).toContainText('added an empty cell below');

    await setUserShortcuts(page, []);
    await expect(row.locator('kbd')).toHaveText(['B']);
  });

  test('settings: all hints, no explanations, hidden section', async ({
    page
  }) => {
    await openPanel(page);
    await page.notebook.createNew('settings.ipynb');
    await focusCell(page, 0);
    const section = page.locator(SECTION);
    const setModeSetting = (key: string, value: unknown) =>
      page.evaluate(
        async ([key, value]) => {
          const registry = await window.galata.getPlugin(
            '@jupyterlab/apputils-extension:settings'
          );
          await registry!.set(
            'jupyterlab-dlcoach:mode',
            key as string,
            value as any
          );
        },
        [key, value]
      );

    await setModeSetting('hints', 'all');
    await expect(section.locator('.jp-DLCoach-showAll')).toHaveAttribute(
      'aria-expanded',
      'true'
    );
    await expect(
      section.locator('tr[data-command="notebook:move-cursor-down"]')
    ).toBeVisible();

    await setModeSetting('explainActions', false);
    await page.keyboard.press('b');
    await expect(
      page.locator('.jp-NotebookPanel:visible .jp-Cell')
    ).toHaveCount(2);
    await expect(section.locator('.jp-DLCoach-happenedHint')).toHaveCount(0);

    await setModeSetting('showSection', false);
    await expect(section).toBeHidden();
    await setModeSetting('showSection', true);
    await expect(section).toBeVisible();
  });

  test('D D says how to undo, and Z brings the cell back', async ({ page }) => {
    await openPanel(page);
    await onlyModeSection(page);
    await page.notebook.createNew('undo.ipynb');
    await page.notebook.setCell(0, 'code', 'first = 1');
    await page.notebook.addCell('code', 'second = 2');
    const cells = page.locator('.jp-NotebookPanel:visible .jp-Cell');
    await expect(cells).toHaveCount(2);
    const hint = page.locator(`${SECTION} .jp-DLCoach-happenedHint`);

    await focusCell(page, 0);
    await page.keyboard.press('d');
    await page.keyboard.press('d');
    await expect(cells).toHaveCount(1);
    await expect(hint).toContainText('deleted');
    await expect(hint).toContainText('Press Z');
    await expect(cells.first()).toContainText('second = 2');
    await shoot(page, 'mode-delete-light');

    await page.keyboard.press('z');
    await expect(cells).toHaveCount(2);
    await expect(cells.first()).toContainText('first = 1');
    await expect(hint).toContainText('undid');

    // Typing code in command mode: explain, and point to Enter.
    await focusCell(page, 0);
    await page.keyboard.type('qq');
    const typed = page.locator(`${SECTION} .jp-DLCoach-typedHint`);
    await expect(typed).toContainText('command mode');
    await expect(typed).toContainText('press Enter');
    await page.keyboard.press('Enter');
    await expect(typed).toHaveCount(0);

    // Keyboard use counts towards the essential-shortcut progress.
    const progress = page.locator(`${SECTION} .jp-DLCoach-progress`);
    await expect(
      progress.locator('li[data-command="notebook:delete-cell"]')
    ).toHaveAttribute('data-used', 'true');
    await expect(
      progress.locator('li[data-command="notebook:undo-cell-action"]')
    ).toHaveAttribute('data-used', 'true');
    await expect(
      progress.locator('li[data-command="notebook:cut-cell"]')
    ).toHaveAttribute('data-used', 'false');
    await progress.locator('summary').click();
    await expect(progress.locator('li[data-used="true"]')).toHaveCount(4);

    // The progress is kept across a reload (state database).
    // (The workspace restores undo.ipynb rather than the launcher galata waits for.)
    // JupyterLab writes the state database to the workspace after a short debounce.
    await page.waitForTimeout(2000);
    await page.reload({ waitForIsReady: false });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    await openPanel(page);
    await expect(
      page.locator(`${SECTION} li[data-command="notebook:delete-cell"]`)
    ).toHaveAttribute('data-used', 'true');
  });
});
