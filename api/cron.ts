// Cron schedules as CronJobs take them (Kubernetes parses them as robfig/cron's standard
// parser does): five fields (minute hour day-of-month month day-of-week, with Vixie cron's
// "either day field" rule), one of the @yearly/@annually/@monthly/@weekly/@daily/@midnight/
// @hourly descriptors, or @every <duration>, evaluated in an IANA time zone (the CronJob's timeZone, else UTC here).
// The field arithmetic is croner's, a small dependency-free library.
import { Cron } from 'croner';
import { parseGoDuration } from './go-duration.js';

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export interface CronSchedule {
  /** The first scheduled time strictly after `after` (ms since the epoch), if any. */
  next(after: number): number | undefined;
}

/** Whether `zone` names a time zone this runtime knows. */
export function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Parses a schedule; throws an Error whose message says what is wrong with it. */
export function parseCronSchedule(schedule: string, timeZone?: string): CronSchedule {
  const text = schedule.trim();
  let pattern: string;
  if (text.startsWith('@every ')) {
    // A fixed interval from the previous time, whole seconds, at least one.
    let ms: number;
    try {
      ms = parseGoDuration(text.slice('@every '.length).trim());
    } catch (err) {
      throw new Error(`failed to parse duration ${text}: ${(err as Error).message}`);
    }
    const step = Math.max(1000, Math.floor(ms / 1000) * 1000);
    return { next: (after) => Math.floor(after / 1000) * 1000 + step };
  }
  if (text.startsWith('@')) {
    const expanded = DESCRIPTORS[text.toLowerCase()];
    if (!expanded) throw new Error(`unrecognized descriptor: ${text}`);
    pattern = expanded;
  } else {
    const fields = text.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
    pattern = fields.join(' ');
  }
  if (timeZone !== undefined && !knownTimeZone(timeZone)) throw new Error(`unknown time zone ${timeZone}`);
  let cron: Cron;
  try {
    // legacyMode: day-of-month and day-of-week match either way, as in Vixie cron.
    cron = new Cron(pattern, { paused: true, timezone: timeZone ?? 'UTC', legacyMode: true });
  } catch (err) {
    throw new Error((err as Error).message.replace(/^CronPattern: /, ''));
  }
  return {
    next(after: number): number | undefined {
      const at = cron.nextRun(new Date(after));
      return at ? at.getTime() : undefined;
    },
  };
}
