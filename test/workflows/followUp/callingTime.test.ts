import {
  insideCallingHours,
  resolveCallbackTime,
  type CallingRules,
} from '../../../src/workflows/followUp/callingTime';

const hm = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3));
const london: CallingRules = {
  timeZone: 'Europe/London',
  hours: { start: hm('09:00'), end: hm('18:00') },
  days: [1, 2, 3, 4, 5],
  holidays: ['2026-12-25'],
  minDelayMs: 30 * 60_000,
  defaultDelayMs: 2 * 60 * 60_000,
  windows: {
    morning: { start: hm('09:00'), end: hm('12:00') },
    afternoon: { start: hm('12:00'), end: hm('17:00') },
    evening: { start: hm('17:00'), end: hm('20:00') },
  },
};

describe('resolveCallbackTime', () => {
  it.each([
    // [case, now (UTC), day, window, expected (UTC), rules]
    ['a later weekday and window', '2026-12-07T10:00:00Z', 'Thursday', 'Morning', '2026-12-10T09:00:00Z'],
    [
      'a weekday without a window: the start of calling hours',
      '2026-12-09T10:00:00Z',
      'Thursday',
      undefined,
      '2026-12-10T09:00:00Z',
    ],
    ['a short weekday name and "next"', '2026-12-07T10:00:00Z', 'next fri', undefined, '2026-12-11T09:00:00Z'],
    ['today, a window still ahead', '2026-12-07T10:00:00Z', 'today', 'Afternoon', '2026-12-07T12:00:00Z'],
    [
      'today, inside the window: now + minimum delay',
      '2026-12-07T10:00:00Z',
      'today',
      'morning',
      '2026-12-07T10:30:00Z',
    ],
    [
      'today when the window has passed: the next calling day',
      '2026-12-07T13:00:00Z',
      'today',
      'Morning',
      '2026-12-08T09:00:00Z',
    ],
    ['the minimum delay runs past the window', '2026-12-07T11:45:00Z', 'today', 'Morning', '2026-12-08T09:00:00Z'],
    [
      'tomorrow on a Friday: the weekend is excluded',
      '2026-12-11T10:00:00Z',
      'tomorrow',
      undefined,
      '2026-12-14T09:00:00Z',
    ],
    ['tomorrow is a holiday, then a weekend', '2026-12-24T10:00:00Z', 'tomorrow', 'Morning', '2026-12-28T09:00:00Z'],
    [
      'an evening window is clipped to calling hours',
      '2026-12-07T10:00:00Z',
      'today',
      'Evening',
      '2026-12-07T17:00:00Z',
    ],
    ['no wish: the default delay', '2026-12-07T10:00:00Z', undefined, undefined, '2026-12-07T12:00:00Z'],
    ['no wish late on a Friday: Monday morning', '2026-12-11T17:00:00Z', undefined, undefined, '2026-12-14T09:00:00Z'],
    ['unknown words read as no wish', '2026-12-07T10:00:00Z', 'whenever', 'soonish', '2026-12-07T12:00:00Z'],
    ['a day in the past is never used', '2026-12-07T10:00:00Z', '2026-12-01', undefined, '2026-12-07T10:30:00Z'],
    ['across the spring DST change (BST, UTC+1)', '2026-03-27T10:00:00Z', 'Monday', 'Morning', '2026-03-30T08:00:00Z'],
    ['across the autumn DST change (GMT)', '2026-10-23T10:00:00Z', 'Monday', 'Morning', '2026-10-26T09:00:00Z'],
    [
      'a day beyond the 30-day horizon: the last day',
      '2026-12-07T10:00:00Z',
      '9999-12-31',
      undefined,
      '2027-01-06T09:00:00Z',
    ],
    ['a day just inside the horizon', '2026-12-07T10:00:00Z', '2027-01-05', 'Afternoon', '2027-01-05T12:00:00Z'],
  ])('%s', (_case, now, day, window, expected) => {
    expect(resolveCallbackTime({ day, window }, new Date(now), london).at.toISOString()).toBe(
      new Date(expected).toISOString(),
    );
  });

  it('reads hours in the configured zone', () => {
    const dubai = { ...london, timeZone: 'Asia/Dubai' };
    const slot = resolveCallbackTime({ day: 'Thursday', window: 'Afternoon' }, new Date('2026-12-07T10:00:00Z'), dubai);
    expect(slot.at.toISOString()).toBe('2026-12-10T08:00:00.000Z');
  });

  it('reads a day beyond a configured horizon as its last day, then the first calling day from there', () => {
    const slot = resolveCallbackTime({ day: '2030-01-01' }, new Date('2026-12-07T10:00:00Z'), {
      ...london,
      maxDaysAhead: 5, // Saturday 12th: the call goes to Monday
    });
    expect(slot.at.toISOString()).toBe('2026-12-14T09:00:00.000Z');
    expect(slot.reading).toBe('wish 2030-01-01 (beyond the horizon) → 2026-12-14');
  });

  it('says so when no day can ever be called', () => {
    expect(() => resolveCallbackTime({}, new Date('2026-12-07T10:00:00Z'), { ...london, days: [] })).toThrow(
      /no calling day/,
    );
  });
});

describe('insideCallingHours', () => {
  it.each([
    ['2026-12-07T09:00:00Z', true],
    ['2026-12-07T08:59:00Z', false],
    ['2026-12-07T18:00:00Z', false],
    ['2026-12-12T10:00:00Z', false], // Saturday
    ['2026-12-25T10:00:00Z', false], // holiday
    ['2026-06-01T08:30:00Z', true], // 09:30 BST
  ])('%s → %s', (at, expected) => {
    expect(insideCallingHours(new Date(at), london)).toBe(expected);
  });
});
