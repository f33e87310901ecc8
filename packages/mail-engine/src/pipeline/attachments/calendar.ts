import ICAL from 'ical.js';

/** What an invitation says, in a line or two for the thread (text/calendar, RFC 5545). */
export interface CalendarSummary {
  kind: 'CALENDAR';
  /** REQUEST (an invitation), CANCEL, REPLY … */
  method: string | null;
  summary: string | null;
  start: string | null;
  end: string | null;
  location: string | null;
  organizer: string | null;
}

/**
 * Reads the first event of an iCalendar object with ical.js (Mozilla's parser; MPL-2.0, used
 * unmodified as a library). Null for anything that is not a readable calendar.
 */
export function summarizeCalendar(data: Buffer): CalendarSummary | null {
  try {
    const component = new ICAL.Component(ICAL.parse(data.toString('utf8')));
    const event = component.getFirstSubcomponent('vevent');
    if (!event) return null;
    const text = (name: string) => {
      const value = event.getFirstPropertyValue(name);
      return value === null || value === undefined ? null : String(value).replace(/^mailto:/i, '').trim() || null;
    };
    const time = (name: string) => {
      const value = event.getFirstPropertyValue(name) as { toJSDate?: () => Date } | null;
      return value?.toJSDate ? value.toJSDate().toISOString() : null;
    };
    const method = component.getFirstPropertyValue('method');
    return { kind: 'CALENDAR', method: method ? String(method).toUpperCase() : null, summary: text('summary'), start: time('dtstart'), end: time('dtend'), location: text('location'), organizer: text('organizer') };
  } catch {
    return null;
  }
}
