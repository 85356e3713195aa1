// Prints the gzipped size of the JavaScript the dashboard page loads: every <script src> in
// out/dashboard/index.html (the static export), gzipped one by one and summed.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out');
const page = process.argv[2] ?? 'dashboard';
const limitKb = Number(process.env.JS_BUDGET_KB ?? 250);
const html = path.join(root, page, 'index.html');
if (!existsSync(html)) {
  console.error(`js-size: ${html} not found — run next build first`);
  process.exit(1);
}
const source = readFileSync(html, 'utf8');
const files = [...new Set([...source.matchAll(/<script[^>]*\ssrc="([^"]+\.js)"/g)].map((match) => match[1]))];
let raw = 0;
let gzip = 0;
for (const file of files) {
  const content = readFileSync(path.join(root, decodeURIComponent(file.replace(/^\//, ''))));
  raw += content.length;
  gzip += gzipSync(content, { level: 9 }).length;
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`JS loaded by /${page}/: ${files.length} files, ${kb(raw)} KB raw, ${kb(gzip)} KB gzip (budget ${limitKb} KB gzip)${gzip / 1024 > limitKb ? ' — OVER BUDGET' : ''}`);
if (gzip / 1024 > limitKb) process.exitCode = 1;
