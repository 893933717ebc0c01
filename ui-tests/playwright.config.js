/**
 * Playwright configuration, on top of galata's defaults.
 *
 * The browser is Debian's Chromium (Playwright's own browser download is not reachable), and videos
 * are off because they need Playwright's ffmpeg download.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// GALATA_PORT lets two test runs (e.g. two developers on one machine) use their own servers.
const port = process.env.GALATA_PORT || '8888';

module.exports = {
  ...baseConfig,
  timeout: 90 * 1000,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium',
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    command: 'jlpm start',
    url: `http://localhost:${port}/lab`,
    timeout: 180 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
