/**
 * US/Eastern wall clock ↔ UTC for loaders, whatever the machine's own time zone: uses the IANA
 * `America/New_York` rules through `Intl` (so historical DST rules are right), cached per day.
 */

const fmt = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** ET offset from UTC in minutes (−300 for EST, −240 for EDT) at the UTC instant `utcMs`. */
export function etOffsetMinutesAt(utcMs: number): number {
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of fmt.formatToParts(utcMs)) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      default: break;
    }
  }
  return Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - utcMs) / 60_000);
}

const noonOffset = new Map<number, number>();
const hourOffset = new Map<number, number>();

/**
 * Epoch ms UTC of an ET wall-clock time on ET calendar day `day` (days since 1970-01-01) at
 * `msOfDay` milliseconds after midnight. From 03:00 ET on it uses the day's cached offset; before
 * that (around the 02:00 DST switch) it checks both offsets: an ambiguous 01:30 on the fall-back day
 * resolves to the first occurrence (EDT), a non-existent 02:30 on the spring-forward day maps forward.
 */
export function etToUtcMs(day: number, msOfDay: number): number {
  const local = day * 86_400_000 + msOfDay;
  if (msOfDay >= 3 * 3_600_000) {
    let off = noonOffset.get(day);
    if (off === undefined) {
      off = etOffsetMinutesAt(local - msOfDay + 17 * 3_600_000); // 12:00 or 13:00 ET that day
      noonOffset.set(day, off);
    }
    return local - off * 60_000;
  }
  for (const minutes of [240, 300]) {
    const utc = local + minutes * 60_000;
    if (etOffsetMinutesAt(utc) === -minutes) return utc;
  }
  return local + 300 * 60_000;
}

/** The ET calendar day (days since 1970-01-01) and ms-of-day of a UTC instant. */
export function utcToEt(utcMs: number): { day: number; msOfDay: number } {
  const hour = Math.floor(utcMs / 3_600_000);
  let off = hourOffset.get(hour);
  if (off === undefined) {
    off = etOffsetMinutesAt(hour * 3_600_000);
    hourOffset.set(hour, off);
  }
  const local = utcMs + off * 60_000;
  const day = Math.floor(local / 86_400_000);
  return { day, msOfDay: local - day * 86_400_000 };
}
