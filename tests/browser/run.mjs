// Proof of the example clinic in a real browser: Debian's Chromium, headless,
// driven by playwright-core, with axe-core for WCAG 2.2 AA.
//
// Run by `scripts/test-all`, which builds the example clinic into a temporary
// folder and passes it as HOWTOREACH_BUILT (a folder holding `public/` and
// `handouts/`, and the `data/` they were built from). Alone:
//
//     SOURCE_DATE_EPOCH=1795600000 cargo run --release -- build
//     node --test tests/browser/run.mjs          # uses public/, handouts/, data/ of the repository
//
// Environment: HOWTOREACH_BUILT (default: the repository), HOWTOREACH_CHROMIUM
// (default /usr/bin/chromium), HOWTOREACH_SCREENSHOTS (default target/screenshots).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const built = path.resolve(process.env.HOWTOREACH_BUILT || repo);
const publicDir = path.join(built, 'public');
const handoutDir = path.join(built, 'handouts');
const dataDir = existsSync(path.join(built, 'data')) ? path.join(built, 'data') : path.join(repo, 'data');
const chromiumPath = process.env.HOWTOREACH_CHROMIUM || '/usr/bin/chromium';
const shotDir = path.resolve(process.env.HOWTOREACH_SCREENSHOTS || path.join(repo, 'target', 'screenshots'));
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const jsQrPath = createRequire(import.meta.url).resolve('jsqr/dist/jsQR.js');

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PROVIDER = 'nadia-okafor';

// The pages under test. `status` is the HTTP status the document itself is expected to get.
const PAGES = [
  { name: 'index', path: '/', shots: ['phone-light', 'phone-dark', 'desktop-light', 'desktop-dark'] },
  { name: 'provider', path: `/providers/${PROVIDER}/`, shots: ['phone-light', 'phone-dark', 'desktop-light', 'desktop-dark'] },
  { name: 'handout', path: `/handouts/${PROVIDER}.html`, shots: ['phone-light', 'desktop-light'] },
  { name: '404', path: '/404.html', shots: ['phone-light'] },
  { name: 'missing page', path: '/providers/no-such-person/', status: 404, shots: [] },
];

const VARIANTS = {
  'phone-light': { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, colorScheme: 'light' },
  'phone-dark': { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, colorScheme: 'dark' },
  'desktop-light': { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, colorScheme: 'light' },
  'desktop-dark': { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, colorScheme: 'dark' },
};

// Wednesday 25 November 2026, 10:00 in Winnipeg (UTC−6): the day the example is built for.
const FIXED_LOCAL = '2026-11-25T10:00';
const FIXED_INSTANT = new Date('2026-11-25T16:00:00Z');

let browser;
let server;

before(async () => {
  for (const [what, p] of [['public folder', publicDir], ['handout folder', handoutDir]]) {
    if (!existsSync(p)) throw new Error(`no ${what} at ${p}: build the example clinic first (see tests/browser/README.md)`);
  }
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (scripts/test-all does)`);
  mkdirSync(shotDir, { recursive: true });
  server = await serve({ publicDir, handoutDir });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A browser context that lets requests to the local server through and aborts
 * (and records) any other; `problems` collects what the pages of the context
 * did wrong.
 */
async function newContext(options = {}) {
  const context = await browser.newContext({ timezoneId: 'America/Winnipeg', locale: 'en-CA', ...options });
  const outside = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.origin + '/') || /^(data|blob|about):/.test(url)) return route.continue();
    outside.push(url);
    return route.abort('blockedbyclient');
  });
  return { context, outside };
}

/** Opens `pagePath` in `context`, recording console errors, page errors, failed and outside requests. */
async function open(ctx, pagePath, { status = 200 } = {}) {
  const page = await ctx.context.newPage();
  const url = server.origin + pagePath;
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location();
    // The deliberate 404 of the document itself is logged by Chromium as a failed resource.
    if (status === 404 && loc.url === url && /status of 404/.test(msg.text())) return;
    problems.push(`console error: ${msg.text()}${loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (ctx.outside.includes(req.url())) return; // reported below, once
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  page.on('response', (res) => {
    if (res.status() < 400) return;
    if (res.url() === url && res.status() === status) return;
    problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  const res = await page.goto(url, { waitUntil: 'load' });
  assert.equal(res.status(), status, `${pagePath}: HTTP status`);
  await page.evaluate(() => document.fonts.ready);
  return { page, problems: () => [...problems, ...ctx.outside.map((u) => `request to another host: ${u}`)] };
}

/** Every visible tel:/sms:/mailto: link with its size in CSS px. */
function measureLinks(page) {
  return page.$$eval('a[href^="tel:"], a[href^="sms:"], a[href^="mailto:"]', (links) =>
    links
      .filter((a) => a.checkVisibility({ visibilityProperty: true, opacityProperty: false }))
      .map((a) => {
        const r = a.getBoundingClientRect();
        const desc = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + [...e.classList].map((c) => '.' + c).join('');
        const region = a.closest('section, article, header, footer, main, nav, li');
        const where = [region && desc(region), desc(a)].filter(Boolean).join(' > ');
        return {
          href: a.getAttribute('href'),
          text: a.innerText.replace(/\s+/g, ' ').trim(),
          where,
          width: Math.round(r.width * 10) / 10,
          height: Math.round(r.height * 10) / 10,
          fragments: a.getClientRects().length,
        };
      }),
  );
}

// Everything the load tests assert, gathered once per page in every variant.
const loads = new Map();
function loadAll(pageDef) {
  if (!loads.has(pageDef.name)) {
    loads.set(
      pageDef.name,
      (async () => {
        const result = {};
        // The four variants side by side: each has its own context.
        await Promise.all(Object.entries(VARIANTS).map(async ([variant, options]) => {
          const ctx = await newContext(options);
          // A fixed clock, so the live status in screenshots does not depend on when the tests run.
          await ctx.context.clock.setFixedTime(FIXED_INSTANT);
          try {
            const { page, problems } = await open(ctx, pageDef.path, pageDef);
            const scrollWidth = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
            const links = await measureLinks(page);
            let shot = null;
            if (pageDef.shots.includes(variant)) {
              shot = path.join(shotDir, `${pageDef.name.replace(/\s+/g, '-')}-${options.viewport.width}-${options.colorScheme}.png`);
              await page.screenshot({ path: shot, fullPage: true });
            }
            result[variant] = { problems: problems(), scrollWidth, links, shot };
          } finally {
            await ctx.context.close();
          }
        }));
        return result;
      })(),
    );
  }
  return loads.get(pageDef.name);
}

function formatViolations(violations) {
  return violations
    .map((v) =>
      [
        `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
        ...v.nodes.map((n) => `    - ${n.target.join(' ')}\n      ${n.html.slice(0, 160)}\n      ${n.failureSummary?.replace(/\n/g, '\n      ')}`),
      ].join('\n'),
    )
    .join('\n');
}

for (const pageDef of PAGES) {
  describe(`${pageDef.name} (${pageDef.path})`, () => {
    it('loads at 320 and 1280 px, light and dark, with no console error, failed request or request to another host', { timeout: 30_000 }, async () => {
      const result = await loadAll(pageDef);
      const problems = Object.entries(result).flatMap(([variant, r]) => r.problems.map((p) => `${variant}: ${p}`));
      assert.deepEqual(problems, [], `problems while loading ${pageDef.path}:\n${problems.join('\n')}`);
    });

    it('has no horizontal scroll at 320 px', { timeout: 30_000 }, async () => {
      const result = await loadAll(pageDef);
      for (const variant of ['phone-light', 'phone-dark']) {
        assert.ok(result[variant].scrollWidth <= 320, `${variant}: the page is ${result[variant].scrollWidth} px wide at a 320 px viewport`);
      }
    });

    it('makes every tel:, sms: and mailto: link at least 24×24 CSS px at 320 and 1280 px', { timeout: 30_000 }, async (t) => {
      const result = await loadAll(pageDef);
      const small = [];
      for (const [variant, r] of Object.entries(result)) {
        for (const l of r.links) {
          if (l.width < 24 || l.height < 24) small.push(`${variant}: ${l.href} "${l.text}" (${l.where}): ${l.width}×${l.height}`);
          else if (l.fragments > 1) t.diagnostic(`${variant}: ${l.href} "${l.text}" wraps over ${l.fragments} lines (${l.width}×${l.height})`);
        }
      }
      assert.ok(result['phone-light'].links.length > 0, 'no tel:/sms:/mailto: link on the page at all');
      assert.deepEqual(small, [], `links smaller than 24×24 CSS px:\n${small.join('\n')}`);
    });

    it(`has no axe violations (${WCAG_TAGS.join(', ')}) at 320 and 1280 px, light and dark`, { timeout: 40_000 }, async (t) => {
      const report = [];
      await Promise.all(Object.entries(VARIANTS).map(async ([variant, options]) => {
        // bypassCSP: the pages' Content-Security-Policy would block the injected axe script.
        const ctx = await newContext({ ...options, bypassCSP: true });
        await ctx.context.clock.setFixedTime(FIXED_INSTANT);
        try {
          const { page } = await open(ctx, pageDef.path, pageDef);
          await page.addScriptTag({ path: axePath });
          const results = await page.evaluate(
            (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] }),
            WCAG_TAGS,
          );
          if (results.incomplete.length) {
            t.diagnostic(`${variant}: axe needs review: ${results.incomplete.map((i) => `${i.id} (${i.nodes.length})`).join(', ')}`);
          }
          if (results.violations.length) report.push(`${variant}:\n${formatViolations(results.violations)}`);
        } finally {
          await ctx.context.close();
        }
      }));
      assert.equal(report.length, 0, `axe violations on ${pageDef.path}:\n${report.join('\n')}`);
    });
  });
}

// ---- Without JavaScript -------------------------------------------------------

/** Every provider's slug and the number of its public and of all its channels, read from data/providers. */
function providersFromData() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.toml')) {
        const text = readFileSync(p, 'utf8');
        // Enough TOML for these files: each `[[channels]]` table runs to the next table header.
        const tables = text.split(/^\s*\[\[channels\]\]\s*(?:#.*)?$/m).slice(1).map((t) => t.split(/^\s*\[/m)[0]);
        const patientsOnly = tables.filter((t) => /^\s*visibility\s*=\s*"patients"/m.test(t)).length;
        out.push({ slug: e.name.slice(0, -'.toml'.length), all: tables.length, public: tables.length - patientsOnly });
      }
    }
  };
  walk(path.join(dataDir, 'providers'));
  return out.sort((a, b) => a.slug.localeCompare(b.slug));
}

const HOURS = /\b(AM|PM|noon|midnight)\b|24 hours|all day/i;

/** The channel cards of the page: each `.channel` (or, without those, each `[data-channel]`), with what it shows. */
function channelCards(page) {
  return page.evaluate(() => {
    let cards = [...document.querySelectorAll('.channel')];
    if (!cards.length) cards = [...document.querySelectorAll('[data-channel]')].filter((e) => !e.parentElement.closest('[data-channel]'));
    return cards.map((c) => ({
      title: (c.querySelector('h2, h3, h4')?.innerText ?? c.innerText.split('\n')[0]).trim(),
      visible: c.checkVisibility({ visibilityProperty: true, opacityProperty: true }) && c.getBoundingClientRect().height > 0,
      text: c.innerText,
    }));
  });
}

describe('with JavaScript disabled', () => {
  const providers = providersFromData();

  it('every provider page shows every public channel with its hours', { timeout: 30_000 }, async () => {
    assert.ok(providers.length > 0, `no providers under ${dataDir}`);
    const ctx = await newContext({ ...VARIANTS['phone-light'], javaScriptEnabled: false });
    const failures = [];
    try {
      for (const p of providers) {
        const { page, problems } = await open(ctx, `/providers/${p.slug}/`);
        const cards = await channelCards(page);
        if (cards.length !== p.public) failures.push(`${p.slug}: ${cards.length} channel cards, expected ${p.public} public channels`);
        for (const c of cards) {
          if (!c.visible) failures.push(`${p.slug}: channel "${c.title}" is not visible`);
          else if (!HOURS.test(c.text)) failures.push(`${p.slug}: channel "${c.title}" shows no hours: ${JSON.stringify(c.text.slice(0, 200))}`);
        }
        failures.push(...problems().map((x) => `${p.slug}: ${x}`));
        await page.close();
      }
    } finally {
      await ctx.context.close();
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  it('the handout shows every channel, patients-only ones too, with its hours', { timeout: 30_000 }, async () => {
    const expected = providers.find((p) => p.slug === PROVIDER);
    assert.ok(expected, `no ${PROVIDER}.toml under ${dataDir}`);
    const ctx = await newContext({ ...VARIANTS['desktop-light'], javaScriptEnabled: false });
    try {
      const { page, problems } = await open(ctx, `/handouts/${PROVIDER}.html`);
      const cards = await channelCards(page);
      assert.equal(cards.length, expected.all, 'channel cards on the handout');
      for (const c of cards) {
        assert.ok(c.visible, `channel "${c.title}" is not visible`);
        assert.match(c.text, HOURS, `channel "${c.title}" shows no hours`);
      }
      assert.deepEqual(problems(), []);
    } finally {
      await ctx.context.close();
    }
  });

  it('the index lists every provider with a link to their page', { timeout: 30_000 }, async () => {
    const ctx = await newContext({ ...VARIANTS['phone-light'], javaScriptEnabled: false });
    try {
      const { page, problems } = await open(ctx, '/');
      for (const p of providers) {
        const link = page.locator(`a[href$="providers/${p.slug}/"]`).first();
        assert.ok(await link.isVisible(), `no visible link to ${p.slug}`);
      }
      assert.deepEqual(problems(), []);
    } finally {
      await ctx.context.close();
    }
  });
});

// ---- Live status ----------------------------------------------------------------

const liveScript = path.join(publicDir, 'howtoreach.js');
const noLiveScript = existsSync(liveScript) ? false : `no ${path.relative(built, liveScript)} in the built site: the live-status script is not there yet`;

/** The live-status text of the preferred channel, once the script has written it. */
async function preferredStatus(page) {
  const loaded = await page.$$eval('script[src]', (scripts) => scripts.some((s) => /(^|\/)howtoreach\.js(\?|$)/.test(s.getAttribute('src'))));
  assert.ok(loaded, 'the built site has howtoreach.js, but the provider page does not load it');
  const handle = await page.waitForFunction(
    () => {
      const marked = document.querySelector('[data-channel="0"]');
      const card = marked?.closest('.channel') ?? marked ?? document.querySelector('.channel-best');
      if (!card) return null;
      const own = [...card.querySelectorAll('.live-open, .live-closed, [data-live] strong, [data-live], [data-status], .live, .live-status, .status, [role="status"], output')]
        .map((e) => e.innerText.trim())
        .find(Boolean);
      if (own) return own;
      // Otherwise: the innermost element saying "Open…" or "Closed…".
      const said = [...card.querySelectorAll('*')].filter((e) => /^(Open|Closed)\b/.test(e.innerText?.trim() ?? ''));
      const innermost = said.filter((e) => !said.some((o) => o !== e && e.contains(o)));
      return innermost[0]?.innerText.trim() || null;
    },
    null,
    { timeout: 5_000 },
  );
  return (await handle.jsonValue()).replace(/\s+/g, ' ');
}

/** Opens the provider page with `data-now` set on <html>, as the live-status script reads it. */
async function openAt(localTime, contextOptions = {}) {
  const ctx = await newContext({ ...VARIANTS['desktop-light'], ...contextOptions });
  const pagePath = `/providers/${PROVIDER}/`;
  await ctx.context.route(server.origin + pagePath, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/<html\b/i, `<html data-now="${localTime}"`);
    await route.fulfill({ response, body });
  });
  const opened = await open(ctx, pagePath);
  return { ...opened, close: () => ctx.context.close() };
}

describe('live status of the preferred channel (Mo-Fr 08:30-16:30)', () => {
  it(`is "Open now …until 4:30 PM" on Wednesday at 10:00 (data-now="${FIXED_LOCAL}")`, { timeout: 20_000, skip: noLiveScript }, async () => {
    const { page, problems, close } = await openAt(FIXED_LOCAL);
    try {
      const text = await preferredStatus(page);
      assert.match(text, /^Open now\b/, `status: ${text}`);
      assert.match(text, /\b4:30\sPM\b/, `status: ${text}`);
      assert.deepEqual(problems(), []);
    } finally {
      await close();
    }
  });

  it('is "Closed — opens Monday …" on Saturday at 10:00 (data-now="2026-11-28T10:00")', { timeout: 20_000, skip: noLiveScript }, async () => {
    const { page, problems, close } = await openAt('2026-11-28T10:00');
    try {
      const text = await preferredStatus(page);
      assert.match(text, /^Closed\W+opens Monday\b/, `status: ${text}`);
      assert.match(text, /\b8:30\sAM\b/, `status: ${text}`);
      assert.deepEqual(problems(), []);
    } finally {
      await close();
    }
  });

  // Nadia Okafor is away from Sunday 2026-12-20 through 2027-01-08; the line answers the same business day.
  for (const [now, expected, promise, heading] of [
    ['2026-12-22T10:00', 'Nadia Okafor is away through Friday, January 8, 2027: Samuel Reyes covers.', false, 'Nadia Okafor is away'],
    ['2026-12-18T17:00', 'Nadia Okafor is away from Sunday through Friday, January 8, 2027: Samuel Reyes covers.', false, 'Time away'],
    ['2026-12-18T15:00', 'expect a call back by today 4:30 PM', true, 'Time away'],
  ]) {
    it(`around an absence (data-now="${now}"): "${expected}"`, { timeout: 20_000, skip: noLiveScript }, async () => {
      const { page, problems, close } = await openAt(now);
      try {
        const handle = await page.waitForFunction(() => {
          const live = document.querySelector('[data-channel="0"] [data-live]');
          return live && !live.hidden && live.innerText.trim() ? live.innerText.trim() : null;
        }, null, { timeout: 5_000 });
        const text = (await handle.jsonValue()).replace(/\s+/g, ' ');
        assert.ok(text.includes(expected), `status: ${text}`);
        // No answer is promised by a time when she is away before it.
        assert.equal(/expect/i.test(text), promise, `status: ${text}`);
        // The away section's heading follows the same clock.
        assert.equal((await page.locator('#away-title').innerText()).trim(), heading);
        assert.deepEqual(problems(), []);
      } finally {
        await close();
      }
    });
  }

  it('follows the real clock in the clinic time zone when the browser is elsewhere (Wednesday 10:00 in Winnipeg, browser in Tokyo)', { timeout: 20_000, skip: noLiveScript }, async () => {
    const ctx = await newContext({ ...VARIANTS['desktop-light'], timezoneId: 'Asia/Tokyo', locale: 'ja-JP' });
    await ctx.context.clock.setFixedTime(FIXED_INSTANT);
    try {
      const { page, problems } = await open(ctx, `/providers/${PROVIDER}/`);
      const text = await preferredStatus(page);
      assert.match(text, /^Open now\b/, `status: ${text}`);
      assert.match(text, /\b4:30\sPM\b/, `status: ${text}`);
      assert.deepEqual(problems(), []);
    } finally {
      await ctx.context.close();
    }
  });
});

// ---- QR codes --------------------------------------------------------------------

describe('QR codes as Chromium draws them', () => {
  it(`decode to the provider page's address (qr.svg, and the handout's own code)`, { timeout: 20_000 }, async () => {
    // The handout's Content-Security-Policy allows no script: the test's own decoder needs one.
    const ctx = await newContext({ ...VARIANTS['desktop-light'], bypassCSP: true });
    try {
      const { page, problems } = await open(ctx, `/handouts/${PROVIDER}.html`);
      await page.addScriptTag({ path: jsQrPath });
      // Each code drawn into a canvas at its own size (5 px a module), then
      // read back by jsQR, an independent decoder.
      const decoded = await page.evaluate(async (qrPath) => {
        const inline = document.querySelector('svg[role="img"]');
        const sources = [qrPath, inline && 'data:image/svg+xml,' + encodeURIComponent(new XMLSerializer().serializeToString(inline))];
        const out = [];
        for (const src of sources) {
          if (!src) { out.push('no inline QR code on the handout'); continue; }
          const img = new Image();
          img.src = src;
          await img.decode();
          const [w, h] = [img.naturalWidth, img.naturalHeight];
          const canvas = Object.assign(document.createElement('canvas'), { width: w, height: h });
          const g = canvas.getContext('2d');
          g.drawImage(img, 0, 0, w, h);
          const code = window.jsQR(g.getImageData(0, 0, w, h).data, w, h);
          out.push(code ? code.data : `no code found in ${src.slice(0, 40)} (${w}×${h})`);
        }
        return out;
      }, `/providers/${PROVIDER}/qr.svg`);
      assert.equal(decoded.length, 2);
      for (const text of decoded) assert.match(text, new RegExp(`^https?://[^/]+(/.*)?/providers/${PROVIDER}/$`), `decoded: ${text}`);
      assert.deepEqual(problems(), []);
    } finally {
      await ctx.context.close();
    }
  });
});

// ---- Screenshots ---------------------------------------------------------------

describe('screenshots', () => {
  it(`are saved under ${path.relative(repo, shotDir) || shotDir}`, { timeout: 60_000 }, async (t) => {
    const shots = [];
    for (const pageDef of PAGES) {
      for (const r of Object.values(await loadAll(pageDef))) if (r.shot) shots.push(r.shot);
    }
    for (const s of shots) assert.ok(existsSync(s), `missing ${s}`);
    t.diagnostic(shots.map((s) => path.relative(repo, s)).join(' '));
  });
});
