// The live-status script (static/howtoreach.js) against the cases shared with
// the Rust side (tests/fixtures/business_time.json, also read by tests/business_time.rs).
// Run: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const bt = require('../../static/howtoreach.js');
const fixture = JSON.parse(readFileSync(new URL('../fixtures/business_time.json', import.meta.url), 'utf8'));

// "2 business days" -> {kind, n}, as the page embeds it (src/render/context.rs ResponseData).
function response(text) {
  if (text === null) return null;
  const words = text.toLowerCase().trim().split(/\s+/).join(' ');
  const fixed = { 'same day': 'same_day', 'same business day': 'same_business_day', 'next business day': 'next_business_day' };
  if (fixed[words]) return { kind: fixed[words], n: 0 };
  const m = /^(\d+) (minute|hour|business hour|day|business day)s?$/.exec(words);
  assert.ok(m, `response "${text}"`);
  return { kind: m[2].replace(' ', '_') + 's', n: Number(m[1]) };
}

const show = (t) => (t === null ? null : new Date(t * 60000).toISOString().slice(0, 16));

test('the fixture has cases', () => {
  assert.ok(fixture.cases.length >= 25);
});

for (const c of fixture.cases) {
  test(c.name, () => {
    const channel = { week: c.week, closures: bt.closureDays(c.closures) };
    const now = bt.parseLocal(c.now);
    const open = bt.isOpen(channel, now);
    const next = bt.nextChange(channel, now);
    const due = bt.deadline(channel, response(c.response), now, c.timezone);
    assert.equal(open, c.expect.open, 'open');
    assert.equal(show(next), c.expect.next_change, 'next_change');
    assert.equal(show(due), c.expect.deadline, 'deadline');
    assert.equal(bt.statusText(open, next, now), c.expect.status_text, 'status_text');
    assert.equal(bt.answerText(due, now, c.verb), c.expect.answer_text, 'answer_text');
  });
}

test('local time from UTC through the time zone', () => {
  const tz = 'America/Winnipeg';
  assert.equal(bt.toLocal(bt.parseLocal('2026-11-27T14:00'), tz), bt.parseLocal('2026-11-27T08:00'));
  assert.equal(bt.toLocal(bt.parseLocal('2027-03-14T08:00'), tz), bt.parseLocal('2027-03-14T03:00'));
});

test('the script is small and makes no requests', () => {
  const src = readFileSync(new URL('../../static/howtoreach.js', import.meta.url), 'utf8');
  assert.ok(Buffer.byteLength(src) < 9216, `${Buffer.byteLength(src)} bytes`);
  for (const forbidden of ['fetch(', 'XMLHttpRequest', 'import(', 'eval(', 'innerHTML', 'http:', 'https:']) {
    assert.ok(!src.includes(forbidden), forbidden);
  }
});
