// Renders the app icons a phone's home screen needs (issue 18) from public/favicon.svg, with the
// Chromium the end-to-end tests use:  node scripts/render-icons.mjs
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync(new URL('../packages/web/public/favicon.svg', import.meta.url), 'utf8');
const out = (name) => new URL(`../packages/web/public/icons/${name}`, import.meta.url).pathname;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
const page = await browser.newPage({ deviceScaleFactor: 1 });
// "any": the rounded icon as is; "maskable": full-bleed background, the mark inside the 80 % safe zone.
for (const [name, size, maskable] of [['icon-192.png', 192, false], ['icon-512.png', 512, false], ['maskable-512.png', 512, true], ['apple-touch-icon.png', 180, true]]) {
  await page.setViewportSize({ width: size, height: size });
  const inner = maskable ? svg.replace('<rect width="32" height="32" rx="8" fill="#2857d6"/>', '') : svg;
  const body = maskable
    ? `<div style="width:${size}px;height:${size}px;background:#2857d6;display:flex;align-items:center;justify-content:center"><div style="width:${size * 0.7}px;height:${size * 0.7}px">${inner.replace('<svg ', '<svg width="100%" height="100%" ')}</div></div>`
    : inner.replace('<svg ', `<svg width="${size}" height="${size}" `);
  await page.setContent(`<html><body style="margin:0;background:transparent">${body}</body></html>`);
  await page.screenshot({ path: out(name), omitBackground: !maskable });
}
await browser.close();
