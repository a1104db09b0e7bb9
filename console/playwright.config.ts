import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser; the flags keep it from stalling on a closed network.
export default defineConfig({
  testDir: './tests',
  workers: 1,
  timeout: 300_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  outputDir: '../target/playwright-results',
  use: {
    baseURL: process.env.ROSTER_URL,
    headless: true,
    actionTimeout: 15_000,
    navigationTimeout: 15_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    },
  },
});
