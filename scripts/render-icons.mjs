#!/usr/bin/env node
// Renders the web app's PNG icons (web/public/icons) from the favicon's shapes with Chromium:
// node scripts/render-icons.mjs (needs Chromium at RAPPORT_CHROMIUM or /usr/bin/chromium). The PNGs are committed.
import path from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '..');
const browser = await chromium.launch({
  executablePath: process.env.RAPPORT_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless'],
});
const page = await browser.newPage({ deviceScaleFactor: 1 });
const R = 'M10 24V8h7a5 5 0 0 1 1.2 9.86L22 24h-3.4l-3.5-6H13v6zm3-9h4a2 2 0 0 0 0-4h-4z';
const any = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1c7ed6"/><path d="${R}" fill="#fff"/></svg>`;
// Maskable: full-bleed background, the letter inside the 80 % safe zone.
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="#1c7ed6"/><g transform="translate(16 16) scale(0.62) translate(-16 -16)"><path d="${R}" fill="#fff"/></g></svg>`;
for (const [name, svg, size] of [
  ['icon-192.png', any, 192],
  ['icon-512.png', any, 512],
  ['maskable-512.png', maskable, 512],
  ['apple-touch-icon.png', maskable, 180],
]) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
  );
  await page.screenshot({
    path: path.join(ROOT, 'web/public/icons', name),
    omitBackground: true,
    clip: { x: 0, y: 0, width: size, height: size },
  });
}
await browser.close();
