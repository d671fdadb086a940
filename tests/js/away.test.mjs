// The live status around a provider's absence (static/howtoreach.js): while
// they are away, or when an answer would be due after an absence has begun, it
// names who covers instead of promising an answer by a time.
// Run: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { awayOn, awayText, parseLocal } = require('../../static/howtoreach.js');

const day = (s) => Math.floor(parseLocal(s) / 1440);
const away = [
  ['2026-12-20', '2027-01-08', 'Samuel Reyes'],
  ['2027-02-01', '2027-02-01', null],
];

test('an absence covers its first and last day, and no day outside it', () => {
  assert.equal(awayOn(away, day('2026-12-19')), null);
  assert.deepEqual(awayOn(away, day('2026-12-20')), [day('2026-12-20'), day('2027-01-08'), 'Samuel Reyes']);
  assert.deepEqual(awayOn(away, day('2027-01-08')), [day('2026-12-20'), day('2027-01-08'), 'Samuel Reyes']);
  assert.equal(awayOn(away, day('2027-01-09')), null);
  assert.deepEqual(awayOn(away, day('2027-02-01')), [day('2027-02-01'), day('2027-02-01'), null]);
  assert.equal(awayOn(away, day('2027-02-02')), null);
});

test('an absence overlapping a span of days is found, one that does not is not', () => {
  // From today (Friday) to the day an answer would be due.
  assert.deepEqual(awayOn(away, day('2026-12-18'), day('2026-12-21')), [day('2026-12-20'), day('2027-01-08'), 'Samuel Reyes']);
  assert.equal(awayOn(away, day('2026-12-18'), day('2026-12-19')), null);
  assert.deepEqual(awayOn(away, day('2027-01-08'), day('2027-01-12')), [day('2026-12-20'), day('2027-01-08'), 'Samuel Reyes']);
  assert.equal(awayOn(away, day('2027-01-09'), day('2027-01-31')), null);
  assert.deepEqual(awayOn(away, day('2027-01-09'), day('2027-02-01')), [day('2027-02-01'), day('2027-02-01'), null]);
});

test('no absences, or a page built before they were embedded, is never away', () => {
  assert.equal(awayOn([], day('2026-12-25')), null);
  assert.equal(awayOn(undefined, day('2026-12-25')), null);
});

test('the text names the last day away and who covers, or the clinic', () => {
  const a = awayOn(away, day('2026-12-22'));
  assert.equal(awayText('Nadia Okafor', a, day('2026-12-22')), 'Nadia Okafor is away through Friday, January 8, 2027: Samuel Reyes covers.');
  assert.equal(awayText('Nadia Okafor', a, day('2027-01-07')), 'Nadia Okafor is away through tomorrow: Samuel Reyes covers.');
  assert.equal(awayText('Nadia Okafor', a, day('2027-01-08')), 'Nadia Okafor is away through today: Samuel Reyes covers.');
  assert.equal(awayText('Nadia Okafor', a, day('2026-12-18')), 'Nadia Okafor is away from Sunday through Friday, January 8, 2027: Samuel Reyes covers.');
  assert.equal(awayText('Nadia Okafor', a, day('2026-12-10')), 'Nadia Okafor is away from Sunday, December 20 through Friday, January 8, 2027: Samuel Reyes covers.');
  const b = awayOn(away, day('2027-02-01'));
  assert.equal(awayText('Nadia Okafor', b, day('2027-02-01')), 'Nadia Okafor is away through today: please call the clinic.');
});
