import { existsSync } from 'node:fs';
import { embeddedTemplate } from '../../helpers/global-setup';
import { CHROMIUM } from './browser';

/**
 * Fails the run (never skips) when the browser is missing, saying how to install it;
 * then builds the migrated database every `rapport serve` of the run starts from.
 */
export default async function setup() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the browser tests need it.\n` +
        'Install it (as root) with:  apt-get update && apt-get install -y chromium\n' +
        'or point RAPPORT_CHROMIUM at another Chromium binary.',
    );
  }
  if (!existsSync('dist/web/index.html')) {
    throw new Error('The web app is not built: run `npm run build:web` (npm run test:e2e does it first).');
  }
  return embeddedTemplate();
}
