/**
 * A job trained through the server's API, as a spec's starting point: submitted, then waited for until it
 * has ended. The specs that look at a finished run (its models, predictions, mistakes) begin here.
 */
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';

export const API = 'jupyterlab-dlcoach';

/** Submit `spec` as a job and wait (up to `timeoutMs`) until it has ended; answers the run. */
export async function trainToEnd(
  page: IJupyterLabPageFixture,
  baseURL: string | undefined,
  spec: { [key: string]: unknown },
  timeoutMs: number
): Promise<any> {
  const job = await page.request.post(`${baseURL}/${API}/jobs`, {
    data: spec
  });
  expect(job.ok()).toBeTruthy();
  const id = (await job.json()).id;
  const run = async () =>
    (await page.request.get(`${baseURL}/${API}/runs/${id}`)).json();
  await expect
    .poll(async () => (await run()).state, {
      timeout: timeoutMs,
      intervals: [2000]
    })
    .toMatch(/completed|failed|cancelled/);
  return run();
}
