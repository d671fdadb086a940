// howtoreach: live status, index filter. Times: minutes on the clinic's clock since 1970.
(() => {
const DAY = 1440;
const dayOf = (t) => Math.floor(t / DAY);
const wd = (day) => (day + 3) % 7; // Monday = 0 (1970-01-01 was a Thursday)
const date = (t) => new Date(t * 60000);
const words = (day, o) => date(day * DAY).toLocaleDateString('en-US', { timeZone: 'UTC', weekday: 'long', ...o });

const parseLocal = (s) => {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d))?/.exec(s);
  return m ? Date.UTC(m[1], m[2] - 1, m[3], m[4] || 0, m[5] || 0) / 60000 : null;
};
const closureDays = (cl) => cl.map((c) => c.map((d) => dayOf(parseLocal(d))));
const closed = (ch, day) => ch.closures.some((c) => day >= c[0] && day <= c[1]);

// Staffed intervals in [from, to) split at midnight, closure days left out; fn returns true to stop.
const each = (ch, from, to, fn) => {
  for (let day = dayOf(from); day * DAY < to; day++) {
    if (closed(ch, day)) continue;
    for (const r of ch.week[wd(day)]) {
      const a = Math.max(day * DAY + r[0], from), b = Math.min(day * DAY + r[1], to);
      if (a < b && fn(a, b)) return;
    }
  }
};

const isOpen = (ch, at) => {
  const day = dayOf(at), m = at - day * DAY;
  return !closed(ch, day) && ch.week[wd(day)].some((r) => m >= r[0] && m < r[1]);
};

// Next opening if closed, closing if open, within 14 days (touching intervals are one).
const nextChange = (ch, at) => {
  const open = isOpen(ch, at), horizon = at + 14 * DAY;
  let end = null;
  each(ch, at, horizon, (a, b) => {
    if (!open) return (end = a), true;
    if (end !== null && a > end) return true;
    end = b;
  });
  return open && end >= horizon ? null : end;
};

const fmts = {};
const toLocal = (u, tz) => {
  const f = fmts[tz] || (fmts[tz] = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }));
  const p = {};
  for (const x of f.formatToParts(date(u))) p[x.type] = x.value;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute) / 60000;
};
// Real minutes from the earliest instant at local t (a t skipped by DST counts as written).
const addAbsolute = (t, min, tz) => {
  let best = null;
  for (const probe of [t - DAY, t + DAY]) {
    const u = t - toLocal(probe, tz) + probe;
    if (toLocal(u, tz) === t && (best === null || u < best)) best = u;
  }
  return best === null ? t + min : toLocal(best + min, tz);
};

// The close (last open end) of the nth business day after `day`.
const nthClose = (ch, day, n) => {
  let count = 0, cur = null, end = null;
  each(ch, (day + 1) * DAY, (day + 401) * DAY, (a, b) => {
    if (cur !== dayOf(a)) {
      if (count === n) return true;
      count++;
      cur = dayOf(a);
    }
    end = b;
  });
  return count === n ? end : null;
};

// When an answer to a message sent at `sent` is due, or null.
const deadline = (ch, response, sent, tz) => {
  if (!response) return null;
  const n = response.n, day = dayOf(sent);
  let result = null, left = n * 60;
  switch (response.kind) {
    case 'minutes': return addAbsolute(sent, n, tz);
    case 'hours': return addAbsolute(sent, n * 60, tz);
    case 'days': return sent + n * DAY;
    case 'same_day': return (day + 1) * DAY;
    case 'business_hours':
      each(ch, sent, sent + 400 * DAY, (a, b) => {
        if (b - a >= left) return (result = a + left), true;
        left -= b - a;
      });
      return result;
    case 'same_business_day':
      each(ch, sent, (day + 1) * DAY, (a, b) => void (result = b));
      return result !== null ? result : nthClose(ch, day, 1);
    case 'next_business_day': // n is 0
    case 'business_days': return nthClose(ch, day, n || 1);
  }
  return null;
};

// "today", "tomorrow", "Tuesday" (within 6 days), else "Monday, December 7[, 2027]".
const dayWord = (day, today) => {
  const diff = day - today, year = (d) => date(d * DAY).getUTCFullYear();
  if (diff === 0) return 'today';
  if (diff === 1) return 'tomorrow';
  if (diff > 1 && diff < 7) return words(day);
  return words(day, { month: 'long', day: 'numeric', year: year(day) === year(today) ? undefined : 'numeric' });
};
const clock = (m) => {
  const h = Math.floor(m / 60) % 24;
  return `${h % 12 || 12}:${String(m % 60).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
};
// "today 4:30 PM", "Monday, December 7, 9:00 AM", "midnight tonight"
const when = (t, now) => {
  const m = t % DAY, w = dayWord(dayOf(t) - !m, dayOf(now)), dated = w.includes(',');
  if (m) return w + (dated ? ', ' : ' ') + clock(m);
  return w === 'today' ? 'midnight tonight' : dated ? 'midnight at the end of ' + w : `midnight ${w} night`;
};
const statusText = (open, next, now) => {
  if (!open) return next === null ? 'Closed' : 'Closed \u2014 opens ' + (next % DAY ? '' : 'at ') + when(next, now);
  if (next === null) return 'Open 24 hours';
  const today = dayOf(next) === dayOf(now) && next % DAY;
  return 'Open now \u2014 until ' + (today ? clock(next % DAY) : when(next, now));
};
// The first absence on a day in [from, to], as [first day, last day, covering name or null], or null.
const awayOn = (away, from, to = from) => {
  for (const [f, t, who] of away || []) {
    const a = [dayOf(parseLocal(f)), dayOf(parseLocal(t)), who || null];
    if (a[0] <= to && a[1] >= from) return a;
  }
  return null;
};
const awayText = (name, a, today) =>
  `${name} is away ${a[0] > today ? `from ${dayWord(a[0], today)} ` : ''}through ${dayWord(a[1], today)}: ${a[2] ? a[2] + ' covers' : 'please call the clinic'}.`;
const VERBS = {
  write: 'If you write now, expect an answer',
  call: 'If you leave a message now, expect a call back',
  page: 'If you page now, expect a call back'
};
const answerText = (due, now, verb) => (due === null ? null : `${VERBS[verb] || VERBS.write} by ${when(due, now)}`);

const $ = (id) => document.getElementById(id);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));
const el = (tag, className, textContent) => Object.assign(document.createElement(tag), { className, textContent });

const live = (data) => {
  const cl = closureDays(data.closures), tz = data.timezone;
  const fixed = document.documentElement.dataset.now;
  const t = fixed ? parseLocal(fixed) : toLocal(Math.floor(Date.now() / 60000), tz);
  // The built-in away heading follows the clock too.
  const head = $('away-title'), says = [`${data.name} is away`, 'Time away'];
  if (head && says.includes(head.textContent)) head.textContent = says[awayOn(data.away, dayOf(t)) ? 0 : 1];
  for (const c of data.channels) {
    const card = document.querySelector(`[data-channel="${c.index}"]`);
    const out = card && card.querySelector('[data-live]');
    if (!out) continue;
    const ch = { week: c.week, closures: c.closures ? closureDays(c.closures) : cl }, open = isOpen(ch, t);
    const due = deadline(ch, c.response, t, tz);
    // No answer is promised by a time the provider is away before.
    const away = awayOn(data.away, dayOf(t), due === null ? dayOf(t) : dayOf(due - 1));
    out.textContent = '';
    out.append(el('strong', open ? 'live-open' : 'live-closed', statusText(open, nextChange(ch, t), t)));
    if (away) out.append(' ', el('span', 'live-away', awayText(data.name || 'This provider', away, dayOf(t))));
    else if (due !== null) out.append(' ', el('span', 'live-answer', answerText(due, t, card.dataset.verb)));
    out.hidden = false;
  }
};

const fold = (s) => (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();

const filter = (form) => {
  const [name, dept, lang, status] = ['', '-department', '-language', '-status'].map((x) => $('filter' + x));
  const items = $$('.provider-item');
  const apply = (e) => {
    if (e) e.preventDefault();
    const q = fold(name.value);
    let shown = 0;
    for (const item of items) {
      const d = item.dataset;
      item.hidden = !(fold(d.name).includes(q) && (!dept.value || d.department === dept.value) &&
        (!lang.value || (d.languages || '').split(' ').includes(lang.value)));
      shown += !item.hidden;
    }
    $$('.department').forEach((s) => (s.hidden = !s.querySelector('.provider-item:not([hidden])')));
    if (status) status.textContent = `Showing ${shown} of ${items.length} provider${items.length === 1 ? '' : 's'}`;
  };
  form.onsubmit = form.oninput = form.onchange = apply;
  form.hidden = false;
  apply();
};

const start = () => {
  try {
    const data = JSON.parse($('howtoreach-status').textContent);
    live(data);
    setInterval(() => live(data), 60000);
  } catch (e) {} // no status data, or no Intl time zones: the page stays as built
  if ($('filter-form')) filter($('filter-form'));
  $$('[data-print]').forEach((b) => {
    b.hidden = false;
    b.onclick = () => window.print();
  });
};
if (typeof document !== 'undefined') start(); // `defer`: the document is parsed
if (typeof module !== 'undefined') module.exports = { parseLocal, closureDays, isOpen, nextChange, deadline, toLocal, statusText, answerText, awayOn, awayText };
})();
