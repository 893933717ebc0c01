import { expect, test } from '@jupyterlab/galata';

import { API, trainToEnd } from './jobs';

test.use({ viewport: { width: 1400, height: 900 } });

/** Drop a picture drawn in the page (a canvas) on the drop zone, as a file dragged from the desktop. */
async function dropDrawnPicture(page: any, width: number, height: number) {
  await page.evaluate(
    async ([w, h]: number[]) => {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#777';
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = '#ccc';
      ctx.beginPath();
      ctx.arc(w / 2, h / 2, h / 3, 0, 2 * Math.PI);
      ctx.fill();
      const blob: Blob = await new Promise(resolve =>
        canvas.toBlob(b => resolve(b!), 'image/png')
      );
      const data = new DataTransfer();
      data.items.add(new File([blob], 'drawn.png', { type: 'image/png' }));
      const zone = document.querySelector('.jp-DLCoach-dropZone')!;
      zone.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: data, bubbles: true })
      );
      zone.dispatchEvent(
        new DragEvent('drop', { dataTransfer: data, bubbles: true })
      );
    },
    [width, height]
  );
}

test.describe('Try it on your own picture', () => {
  test('upload and drop a picture in the run view and read the answer', async ({
    page,
    baseURL,
    tmpPath
  }) => {
    test.setTimeout(480 * 1000);
    const sample = await page.request.post(`${baseURL}/${API}/samples`, {
      data: {
        name: 'shapes',
        path: `${tmpPath}/shapes`,
        per_class: 8,
        image_size: 32
      }
    });
    expect(sample.status()).toBe(201);
    const run = await trainToEnd(
      page,
      baseURL,
      {
        dataset: `${tmpPath}/shapes`,
        arch: 'resnet18',
        pretrained: false,
        epochs: 1,
        image_size: 32,
        batch_size: 8
      },
      300 * 1000
    );
    expect(run.state).toBe('completed');
    const id = run.id;

    await page.evaluate(async (runId: string) => {
      // The command resolves to the widget, which cannot come back to the test: answer nothing.
      await (window as any).jupyterapp.commands.execute('dlcoach:open-run', {
        id: runId
      });
    }, id);
    const view = page.locator('.jp-DLCoach-runView');
    const tryIt = view.locator('.jp-DLCoach-try');
    await expect(tryIt).toBeVisible({ timeout: 30 * 1000 });
    await expect(tryIt.locator('.jp-DLCoach-tryServer')).toBeVisible();

    // Upload one of the training pictures: an answer in words, a bar per class, no note.
    const listing = await page.request.get(
      `${baseURL}/api/contents/${tmpPath}/shapes/triangle`
    );
    const first = (await listing.json()).content[0];
    const picture = await page.request.get(`${baseURL}/files/${first.path}`);
    await tryIt.locator('input[type=file]').setInputFiles({
      name: first.name,
      mimeType: 'image/png',
      buffer: await picture.body()
    });
    const verdict = tryIt.locator('.jp-DLCoach-tryVerdict');
    await expect(verdict).toHaveText(
      /^(circle|square|triangle), \S+ ?% sure$/,
      {
        timeout: 120 * 1000
      }
    );
    await expect(tryIt.locator('.jp-DLCoach-tryBar')).toHaveCount(3);
    await expect(tryIt.locator('.jp-DLCoach-tryNote')).toHaveCount(0);
    await expect(tryIt.locator('.jp-DLCoach-tryPreview')).toBeVisible();

    // Drop a large grey drawing: the answer comes with a note that it means little.
    await dropDrawnPicture(page, 900, 600);
    await expect(tryIt.locator('.jp-DLCoach-tryNote')).toContainText(
      'large (900x600)',
      { timeout: 60 * 1000 }
    );
    await expect(tryIt.locator('.jp-DLCoach-tryBar')).toHaveCount(3);
    await tryIt.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'screenshots/predict-light.png' });
    await view
      .locator('.jp-DLCoach-runViewTry')
      .screenshot({ path: 'screenshots/predict-try-light.png' });

    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('apputils:change-theme', {
        theme: 'JupyterLab Dark'
      })
    );
    await expect(page.locator('body[data-jp-theme-light="false"]')).toHaveCount(
      1
    );
    await page.waitForTimeout(1000);
    await page.screenshot({ path: 'screenshots/predict-dark.png' });
    await view
      .locator('.jp-DLCoach-runViewTry')
      .screenshot({ path: 'screenshots/predict-try-dark.png' });

    // Pick a file of the server in JupyterLab's own file dialog.
    await tryIt.locator('.jp-DLCoach-tryServer').click();
    const dialog = page.locator('.jp-Dialog');
    for (const folder of [tmpPath, 'shapes', 'circle']) {
      await dialog
        .locator('.jp-DirListing-item', { hasText: folder })
        .first()
        .dblclick();
    }
    await dialog.locator('.jp-DirListing-item').first().click();
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(dialog).toHaveCount(0);
    await expect(tryIt.locator('.jp-DLCoach-tryNote')).toHaveCount(0, {
      timeout: 60 * 1000
    });
    await expect(verdict).toHaveText(/^(circle|square|triangle), /);
    await expect(tryIt.locator('.jp-DLCoach-tryPreview')).toHaveAttribute(
      'src',
      /\/files\/.*circle/
    );

    // Not a picture: a clear error in the same place, and the view stays usable.
    await tryIt.locator('input[type=file]').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not a picture at all')
    });
    await expect(
      tryIt.locator('.jp-DLCoach-tryAnswer .jp-DLCoach-error')
    ).toContainText('not a picture');
  });
});
