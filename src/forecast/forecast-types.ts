/**
 * The shape of a demand forecast, shared by the forecast (src/forecast), the staffing model
 * (src/staffing) and the dashboard's "next 6 weeks" view. Days are Europe/Rome calendar days
 * `YYYY-MM-DD`; hours are Europe/Rome hours of the day 0-23.
 */

/** An expected count with its prediction interval (80 % unless `ForecastResult.interval` says otherwise). */
export interface ForecastPoint {
  readonly day: string;
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

/** Expected handoffs to 020202 in one hour of one day. */
export interface HourlyPoint extends ForecastPoint {
  readonly hour: number;
}

/** A communication's effect as the forecast applies it. */
export interface AppliedCommunication {
  readonly id: string;
  readonly kind: string;
  readonly published: string;
  readonly effective: string;
  readonly until?: string;
  readonly topics: readonly string[];
  /** The uplift applied on its topics (0.4 is +40 %) and where it came from. */
  readonly uplift: number | null;
  readonly upliftSource: 'planner' | 'learned' | 'none';
}

export interface ForecastResult {
  /** ISO time it was computed. */
  readonly generatedAt: string;
  /** The last day of history used (yesterday when computed) and the forecast's days. */
  readonly historyTo: string;
  readonly from: string;
  readonly to: string;
  /** Coverage of the intervals (0.8). */
  readonly interval: number;
  /** The model used for each series ('regression', 'holt-winters', 'seasonal-naive'). */
  readonly model: string;
  /** Conversations (contacts) per day, all topics and channels. */
  readonly total: readonly ForecastPoint[];
  readonly byTopic: readonly { readonly topicId: string; readonly points: readonly ForecastPoint[] }[];
  readonly byChannel: readonly { readonly channel: string; readonly points: readonly ForecastPoint[] }[];
  /** Handoffs queued for an operator per hour of each forecast day. */
  readonly handoffsByHour: readonly HourlyPoint[];
  /** Communications whose window touches the forecast's days. */
  readonly communications: readonly AppliedCommunication[];
}
