// The period of an analytics request (?from&to): each problem named once, and only the real one.
import type { Request, Response } from 'restify';
import { periodOf } from '../../src/analytics/analytics-request';

/** The details of the 400 that periodOf sends for `query`, or the period it accepts. */
function period(query: string): { from: string; to: string } | readonly string[] {
  let sent: { status: number; body: { error: { code: string; details?: string[] } } } | undefined;
  const res = { send: (status: number, body: never) => { sent = { status, body }; } } as unknown as Response;
  const accepted = periodOf({ url: `/api/analytics/summary?${query}` } as Request, res);
  if (accepted) return accepted;
  expect(sent?.status).toBe(400);
  expect(sent?.body.error.code).toBe('INVALID_REQUEST');
  return sent?.body.error.details ?? [];
}

describe('periodOf', () => {
  test('a valid period is accepted as given', () => {
    expect(period('from=2026-12-01&to=2026-12-06')).toEqual({ from: '2026-12-01', to: '2026-12-06' });
  });

  test('a day that is not a date is one problem, not also a reversed or an over-long period', () => {
    expect(period('from=garbage&to=2026-12-01')).toEqual(['from: must be a date YYYY-MM-DD']);
    expect(period('from=2026-12-01')).toEqual(['to: must be a date YYYY-MM-DD']);
    expect(period('')).toEqual(['from: must be a date YYYY-MM-DD', 'to: must be a date YYYY-MM-DD']);
    expect(period('from=2026-13-01&to=2026-12-01')).toEqual(['from: is not a real date']);
  });

  test('between two real days, a reversed or an over-long period is named', () => {
    expect(period('from=2026-12-06&to=2026-12-01')).toEqual(['period: from must not be after to']);
    expect(period('from=2020-01-01&to=2026-12-31')).toEqual(['period: the period may cover at most 1098 days']);
    expect(period('from=2026-12-01&to=2026-12-06&from=2026-12-02')).toEqual(['from: must be given once']);
  });
});
