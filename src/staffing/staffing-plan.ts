import type { Storage } from 'botbuilder';
import { z } from 'zod';
import { isRealDay, weekday } from '../forecast/calendar-days';

/** The key of the plan in the key-value state store both backends provide. */
export const STAFFING_PLAN_KEY = 'staffing-plan';
/** Most operators one hour may plan: far above 020202's floor, low enough to catch a slipped digit. */
export const MAX_PLANNED_OPERATORS = 500;
/** Most dated exceptions a plan keeps (the six weeks ahead and some slack). */
export const MAX_PLAN_DATES = 100;
/**
 * The state store deletes items not written for RETENTION_DAYS (180 by default): a plan that was
 * read but not saved for this long is written again unchanged, so that it is never purged.
 */
const REFRESH_AFTER_MS = 7 * 86_400_000;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const hours = z
  .array(z.number().int('must be whole operators').min(0, 'must not be negative').max(MAX_PLANNED_OPERATORS, `must be at most ${MAX_PLANNED_OPERATORS}`), 'must be a list of 24 numbers')
  .length(24, 'must hold 24 hours (0 to 23)');
const weekly = z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, hours])) as Record<Weekday, typeof hours>);
// Keys are checked here rather than with a key schema, whose message zod replaces with "Invalid key in record".
const dates = z.record(z.string(), hours).superRefine((value, ctx) => {
  const keys = Object.keys(value);
  if (keys.length > MAX_PLAN_DATES) ctx.addIssue({ code: 'custom', message: `at most ${MAX_PLAN_DATES} dates` });
  for (const key of keys.slice(0, MAX_PLAN_DATES + 1)) {
    if (!isRealDay(key)) ctx.addIssue({ code: 'custom', path: [key], message: /^\d{4}-\d{2}-\d{2}$/.test(key) ? 'is not a real date' : 'must be a date YYYY-MM-DD' });
  }
});

/** What a supervisor sends: operators rostered per hour of each weekday, and optional dated exceptions. */
export const staffingPlanInputSchema = z.strictObject({ weekly, dates: dates.optional() });
export type StaffingPlanInput = z.infer<typeof staffingPlanInputSchema>;

const storedSchema = z.object({
  weekly,
  dates,
  updatedAt: z.string(),
  updatedBy: z.string(),
  touchedAt: z.string(),
});

/** A saved plan. Hours are Europe/Rome hours of the day. */
export interface StaffingPlan {
  readonly weekly: Readonly<Record<Weekday, readonly number[]>>;
  readonly dates: Readonly<Record<string, readonly number[]>>;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/**
 * Operators planned for one hour of a Europe/Rome day: the day's exception when there is one,
 * else its weekday's row.
 *
 * @example
 * plannedOperators(plan, '2026-12-07', 9); // the Monday row's 9 o'clock, unless 7 December has its own
 */
export function plannedOperators(plan: StaffingPlan, dayOfYear: string, hour: number): number {
  const dated = plan.dates[dayOfYear];
  if (dated) return dated[hour] ?? 0;
  return plan.weekly[WEEKDAYS[weekday(dayOfYear)]!][hour] ?? 0;
}

/**
 * The supervisor's staffing plan, kept as one item of the key-value state store (botbuilder's
 * `Storage`: SQLite or MongoDB, sealed like the other items). The stored document is parsed
 * again when read: an item that does not parse is reported and treated as no plan.
 *
 * @example
 * const plans = new StaffingPlanStore(storage);
 * await plans.save({ weekly }, 'sara');
 */
export class StaffingPlanStore {
  constructor(
    private readonly storage: Storage,
    private readonly now: () => Date = () => new Date(),
    private readonly onUnreadable: (issues: string[]) => void = () => undefined,
  ) {}

  async load(): Promise<StaffingPlan | null> {
    const item: unknown = (await this.storage.read([STAFFING_PLAN_KEY]))[STAFFING_PLAN_KEY];
    if (item === undefined) return null;
    const parsed = storedSchema.safeParse(item);
    if (!parsed.success) {
      this.onUnreadable(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      return null;
    }
    const { touchedAt, ...plan } = parsed.data;
    if (this.now().getTime() - Date.parse(touchedAt) > REFRESH_AFTER_MS) await this.write(plan);
    return plan;
  }

  async save(input: StaffingPlanInput, by: string): Promise<StaffingPlan> {
    const plan: StaffingPlan = { weekly: input.weekly, dates: input.dates ?? {}, updatedAt: this.now().toISOString(), updatedBy: by };
    await this.write(plan);
    return plan;
  }

  private async write(plan: StaffingPlan): Promise<void> {
    // Last writer wins ('*'): two supervisors saving at once both mean "this is the plan now".
    await this.storage.write({ [STAFFING_PLAN_KEY]: { ...plan, touchedAt: this.now().toISOString(), eTag: '*' } });
  }
}
