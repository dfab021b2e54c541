import { test as base, type Page } from '@playwright/test';
import { startHeadless, type Headless } from '../helpers/headless.ts';

/** Each test file gets its own headless server with a fresh data folder. */
export const test = base.extend<{ openApp: (page: Page) => Promise<void> }, { server: Headless }>({
  server: [
    async ({}, use) => {
      const server = await startHeadless();
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  openApp: async ({ server }, use) => {
    await use(async (page: Page) => {
      await page.goto(`${server.url}/#token=${server.token}`);
    });
  },
});
export { expect } from '@playwright/test';
