import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { onlySections, openPanel, PANEL } from './coachPanel';

const SECTION = '#jp-DLCoach-glossarySection';

function title(page: IJupyterLabPageFixture, label: string) {
  return page.locator(`${PANEL} .jp-AccordionPanel-title`, { hasText: label });
}

async function shoot(page: IJupyterLabPageFixture, name: string) {
  await page.locator(PANEL).screenshot({ path: `screenshots/${name}.png` });
}

test.describe('Glossary', () => {
  test('lists the lesson terms and searches them', async ({ page }) => {
    await openPanel(page);
    await onlySections(page, ['Glossary']);
    const section = page.locator(SECTION);
    const terms = section.locator('.jp-DLCoach-term');
    await expect(terms).toHaveCount(20);
    await expect(section.locator('.jp-DLCoach-mlVsDl')).toContainText(
      'Deep learning'
    );
    await shoot(page, 'glossary-light');

    const search = section.getByRole('searchbox', {
      name: 'Search the glossary'
    });
    await search.fill('weights');
    await expect(terms).toHaveCount(1);
    await expect(terms.first()).toHaveAttribute('data-term', 'weights');
    await expect(section.locator('.jp-DLCoach-glossaryCount')).toHaveText(
      '1 term matches'
    );

    await search.fill('validation');
    await expect(terms.first()).toHaveAttribute('data-term', 'validation-set');
    expect(await terms.count()).toBeGreaterThan(1);
    await shoot(page, 'glossary-search-light');

    await search.fill('no such word');
    await expect(terms).toHaveCount(0);
    await search.fill('');
    await expect(terms).toHaveCount(20);

    await page.theme.setDarkTheme();
    await openPanel(page);
    await onlySections(page, ['Glossary']);
    await section
      .locator('.jp-DLCoach-glossary')
      .evaluate(node => node.scrollTo(0, 0));
    await shoot(page, 'glossary-dark');
  });

  test('a term opens from the command, from a link and from the palette', async ({
    page
  }) => {
    await openPanel(page);
    await onlySections(page, ['Mode coach']);
    await page.sidebar.openTab('filebrowser');
    await expect(page.locator(PANEL)).toBeHidden();

    // The command reveals the panel, expands the collapsed section and shows the term.
    const opened = await page.evaluate(() =>
      window.jupyterapp.commands.execute('dlcoach:open-glossary-term', {
        term: 'Validation set'
      })
    );
    expect(opened).toBe(true);
    await expect(page.locator(PANEL)).toBeVisible();
    await expect(title(page, 'Glossary')).toHaveAttribute(
      'aria-expanded',
      'true'
    );
    const card = page.locator(`${SECTION} article[data-term="validation-set"]`);
    await expect(card).toHaveClass(/jp-mod-highlighted/);
    await expect(card).toBeFocused();
    await expect(card).toBeInViewport();
    await shoot(page, 'glossary-term-light');

    // Unknown terms are refused.
    expect(
      await page.evaluate(() =>
        window.jupyterapp.commands.execute('dlcoach:open-glossary-term', {
          term: 'banana'
        })
      )
    ).toBe(false);

    // A related-term link inside a card opens that term, from the keyboard too.
    const link = card.locator('.jp-DLCoach-termLink', { hasText: 'Metric' });
    await link.focus();
    await page.keyboard.press('Enter');
    const metric = page.locator(`${SECTION} article[data-term="metric"]`);
    await expect(metric).toHaveClass(/jp-mod-highlighted/);
    await expect(card).not.toHaveClass(/jp-mod-highlighted/);
    await expect(metric).toBeInViewport();

    // The palette lists the command under DL Coach.
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#modal-command-palette');
    await palette.locator('input').fill('DL Coach: Open the glossary');
    await palette
      .locator('.lm-CommandPalette-item', {
        hasText: 'DL Coach: Open the glossary'
      })
      .first()
      .click();
    await expect(
      page.locator(`${SECTION} article[data-term="label"]`)
    ).toHaveClass(/jp-mod-highlighted/);
  });
});
