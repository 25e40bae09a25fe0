import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_GRAPH_URL } from './channels/messenger/graph-client';
import { parseOfficeHours, type OfficeHours } from './handoff/office-hours';
import type { ServiceTarget } from './staffing/erlang';
import { DEFAULT_SERVICE_TARGET, DEFAULT_SHRINKAGE, parseServiceTarget, parseShrinkage } from './staffing/service-target';

/**
 * Every setting Dialogo reads from its environment, parsed once by {@link loadConfig}.
 * No other module reads `process.env`: they receive the frozen {@link Config}.
 *
 * @example
 * const config = loadConfig(process.env);
 * console.log(config.port); // 3978 unless PORT is set
 */
const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());

const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3978)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  KB_DIR: z.preprocess(emptyToUndefined, z.string().default('knowledge-base')),
  KB_WATCH: z.preprocess(emptyToUndefined, z.enum(['true', 'false', 'auto']).default('auto')),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('data')),
  MicrosoftAppId: optionalString,
  MicrosoftAppPassword: optionalString,
  MicrosoftAppType: z.preprocess(emptyToUndefined, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant')),
  MicrosoftAppTenantId: optionalString,
  RECOGNIZER: z.preprocess(emptyToUndefined, z.enum(['local', 'clu', 'luis']).default('local')),
  REMOTE_RECOGNIZER_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(50).max(10000).default(1500)),
  CLU_ENDPOINT: optionalUrl,
  CLU_KEY: optionalString,
  CLU_PROJECT: optionalString,
  CLU_DEPLOYMENT: optionalString,
  LUIS_ENDPOINT: optionalUrl,
  LUIS_APP_ID: z.preprocess(emptyToUndefined, z.uuid('LUIS_APP_ID must be the app id, a UUID').optional()),
  LUIS_KEY: optionalString,
  LUIS_SLOT: z.preprocess(emptyToUndefined, z.enum(['production', 'staging']).default('production')),
  CONTACT_CENTRE_HOURS_IT: z.preprocess(emptyToUndefined, z.string().default('dal lunedì al sabato, 8-18, festivi esclusi')),
  CONTACT_CENTRE_HOURS_EN: z.preprocess(emptyToUndefined, z.string().default('Monday to Saturday, 8 am to 6 pm, except public holidays')),
  // The home page until the city gives the URL of its "Scrivi" form: none is known (milano-facts Z.4, docs/knowledge-base.md).
  WRITTEN_REQUEST_URL: z.preprocess(emptyToUndefined, z.url().default('https://www.comune.milano.it')),
  PUBLIC_BASE_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://dialogo.comune.milano.it' }).optional()),
  MONGODB_URI: z.preprocess(emptyToUndefined, z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional()),
  REDIS_URL: z.preprocess(emptyToUndefined, z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must start with redis:// or rediss://').optional()),
  REDIS_KEY_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9_.:-]{1,40}$/, 'must be letters, digits, _ . : or - (at most 40)').default('dialogo:')),
  MONGODB_DB: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'must be a database name (letters, digits, _ and -)').default('dialogo')),
  PSEUDONYM_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3650).default(180)),
  EVENT_BUFFER_MAX: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(10_000_000).default(100_000)),
  DIRECTLINE_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  MESSENGER_APP_SECRET: optionalString,
  MESSENGER_VERIFY_TOKEN: z.preprocess(emptyToUndefined, z.string().min(8, 'must be at least 8 characters').optional()),
  MESSENGER_PAGE_ACCESS_TOKEN: optionalString,
  MESSENGER_GRAPH_URL: z.preprocess(emptyToUndefined, z.url().default(DEFAULT_GRAPH_URL)),
  MESSENGER_PAGE_ID: z.preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'must be the numeric page id').optional()),
  OFFICE_HOURS: z.preprocess(emptyToUndefined, z.string().default('default')),
  HANDOFF_MODE: z.preprocess(emptyToUndefined, z.enum(['console', 'external']).default('console')),
  HANDOFF_QUEUE_CAPACITY: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000).default(20)),
  HANDOFF_QUEUE_TIMEOUT_SEC: z.preprocess(emptyToUndefined, z.coerce.number().int().min(10).max(86_400).default(600)),
  // Citizens who leave or go silent (docs/handoff.md): fractions of a second let tests run in milliseconds.
  HANDOFF_PRESENCE_TIMEOUT_SEC: z.preprocess(emptyToUndefined, z.coerce.number().min(0.1).max(86_400).default(120)),
  HANDOFF_IDLE_CLOSE_SEC: z.preprocess(emptyToUndefined, z.coerce.number().min(0.1).max(86_400).default(900)),
  HANDOFF_SWEEP_INTERVAL_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(50).max(60_000).default(5000)),
  OPERATOR_TOKEN_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  // Operators' presence: away after this long with no console; the milliseconds override is for tests.
  OPERATOR_AWAY_AFTER_SEC: z.preprocess(emptyToUndefined, z.coerce.number().int().min(5).max(3600).default(60)),
  OPERATOR_AWAY_AFTER_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(3_600_000).optional()),
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  SHUTDOWN_GRACE_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(120000).default(10000)),
  ALLOWED_ORIGINS: optionalString,
  TRUST_PROXY_HOPS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(10).default(0)),
  DATA_ENCRYPTION_KEY: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  BOT_SERVICE_URL_HOSTS: optionalString,
  DIRECTLINE_MAX_ACTIVITIES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(10).max(10_000).default(100)),
  DIRECTLINE_MAX_CONVERSATION_KB: z.preprocess(emptyToUndefined, z.coerce.number().int().min(64).max(65_536).default(256)),
  DIRECTLINE_CONVERSATIONS_PER_MINUTE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100_000).default(10)),
  SMTP_URL: z.preprocess(emptyToUndefined, z.string().regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL, such as smtp://user:password@host:587').optional()),
  MAIL_FROM: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/, 'must be an e-mail address, optionally with a name: Comune di Milano <noreply@comune.milano.it>').optional(),
  ),
  DIRECTLINE_MEMORY_MB: z.preprocess(emptyToUndefined, z.coerce.number().int().min(16).max(16_384).default(256)),
  STAFFING_TARGET: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_SERVICE_TARGET)),
  STAFFING_SHRINKAGE: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_SHRINKAGE)),
});

/**
 * Service URLs of the Bot Framework channels replies may go to (host patterns; `*.` matches any
 * subdomain). Azure Bot Service's channels live under botframework.com; Teams answers from
 * smba.trafficmanager.net; the US government clouds under botframework.azure.us.
 */
export const DEFAULT_BOT_SERVICE_URL_HOSTS = ['*.botframework.com', 'smba.trafficmanager.net', '*.botframework.azure.us'] as const;

export type RecognizerKind = 'local' | 'clu' | 'luis';

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly knowledgeBaseDir: string;
  /** Reload the knowledge base when its files change (default: in development only). */
  readonly watchKnowledgeBase: boolean;
  readonly dataDir: string;
  readonly botAuth: {
    readonly appId: string | undefined;
    readonly appPassword: string | undefined;
    readonly appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    readonly tenantId: string | undefined;
  };
  readonly recognizer: {
    readonly kind: RecognizerKind;
    readonly timeoutMs: number;
    readonly clu?: { readonly endpoint: string; readonly key: string; readonly project: string; readonly deployment: string };
    readonly luis?: { readonly endpoint: string; readonly appId: string; readonly key: string; readonly slot: 'production' | 'staging' };
  };
  readonly contactCentre: { readonly hoursIt: string; readonly hoursEn: string; readonly writtenRequestUrl: string };
  /** Dialogo's address as citizens reach it (PUBLIC_BASE_URL): answers' links go through its `/go` redirect, which counts clicks. Unset: links as they are. */
  readonly publicBaseUrl: string | undefined;
  readonly shutdownGraceMs: number;
  readonly directLine: {
    /** The site secret of `/v3/directline`; unset: development mode, anyone may generate a token. */
    readonly secret: string | undefined;
  };
  /** Facebook Messenger through Dialogo's own webhook; undefined when not configured. */
  readonly messenger:
    | {
        readonly appSecret: string;
        readonly verifyToken: string;
        readonly pageAccessToken: string;
        /** Graph API base with its version (default the pinned public version). */
        readonly graphUrl: string;
        readonly pageId: string | undefined;
      }
    | undefined;
  readonly handoff: {
    /** The 020202 calendar (OFFICE_HOURS: `default`, `always`, or a spec; see src/handoff/office-hours.ts). */
    readonly officeHours: OfficeHours;
    readonly officeHoursSpec: string;
    /** `console`: Dialogo's operator console; `external`: `handoff.initiate` to an agent hub. */
    readonly mode: 'console' | 'external';
    readonly queueCapacity: number;
    readonly queueTimeoutSec: number;
    /** No console of an operator for this long makes them away (OPERATOR_AWAY_AFTER_SEC, or _MS in tests). */
    readonly operatorAwayAfterMs: number;
    /** Key of the console tokens; unset outside production: a key per process. */
    readonly operatorTokenSecret: string | undefined;
  };
  /** Citizens who leave a handoff or go silent (docs/handoff.md, "Presence and inactivity"). */
  readonly handoffCitizens: {
    /** A Direct Line citizen with no open stream and no poll or post for this long is away; twice this long, a queued one is abandoned. The no-answer limit of the still-waiting question too. */
    readonly presenceTimeoutMs: number;
    /** A connected conversation with no message on either side for this long is closed (outcome `idle`). */
    readonly idleCloseMs: number;
    /** How often the queue is checked for these rules and for the queue timeout. */
    readonly sweepIntervalMs: number;
  };
  /** Bearer token Prometheus must send to `/metrics`; unset: `/metrics` is open (keep it inside the network). */
  readonly metricsToken: string | undefined;
  /** The public edge: which other origins may embed the widget, and which proxies to believe. */
  readonly edge: {
    /** Origins (scheme://host[:port]) allowed by CORS; `'any'` only outside production with ALLOWED_ORIGINS unset or `*`. */
    readonly allowedOrigins: readonly string[] | 'any';
    /** Reverse proxies in front of Dialogo whose X-Forwarded-For entries are believed (0: the socket address). */
    readonly trustProxyHops: number;
    /** Host patterns of the Bot Framework service URLs replies may be sent to (`*.` matches subdomains). */
    readonly botServiceUrlHosts: readonly string[];
  };
  /** Limits of the Direct Line endpoint (docs/directline.md). */
  readonly directLineLimits: {
    /** Activities one conversation keeps (older ones are dropped, watermarks stay valid). */
    readonly maxActivitiesPerConversation: number;
    /** Bytes of activities one conversation keeps. */
    readonly maxConversationBytes: number;
    /** Conversations one client address may open per minute. */
    readonly conversationsPerMinute: number;
    /** Bytes of conversations held in memory in all. */
    readonly maxMemoryBytes: number;
  };
  /** The staffing model's settings (docs/staffing.md). */
  readonly staffing: {
    /** The service level 020202 aims at (STAFFING_TARGET, default 85 % answered within 30 s). */
    readonly target: ServiceTarget;
    /** Share of paid time not spent on contacts (STAFFING_SHRINKAGE, default 30 %). */
    readonly shrinkage: number;
  };
  /** Answers to written requests by e-mail; undefined when SMTP_URL is unset (answers cannot be sent). */
  readonly mail: {
    /** smtp://user:password@host:587 (STARTTLS when offered) or smtps://... (TLS from the start). */
    readonly smtpUrl: string;
    /** The sender citizens see. */
    readonly from: string;
  } | undefined;
  /**
   * Cluster mode (several instances behind a load balancer): set when REDIS_URL is; MongoDB holds
   * the truth and Redis coordinates (docs/cluster.md). Undefined: one instance.
   */
  readonly cluster: { readonly redisUrl: string; readonly keyPrefix: string } | undefined;
  readonly storage: {
    /** MongoDB when set; otherwise SQLite under dataDir. */
    readonly mongodbUri: string | undefined;
    readonly mongodbDb: string;
    /** Key of the conversation-id hash; unset outside production: a key kept under dataDir. */
    readonly pseudonymSecret: string | undefined;
    readonly retentionDays: number;
    readonly eventBufferMax: number;
    /** Key material (at least 32 characters) of the encryption at rest of citizens' words; unset outside production: a key kept under dataDir. */
    readonly dataEncryptionKey: string | undefined;
  };
}

/** Raised when the environment does not describe a runnable configuration. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment into a frozen {@link Config}; throws {@link ConfigError} naming every bad variable.
 *
 * @example
 * const config = loadConfig({ PORT: '0', RECOGNIZER: 'local' });
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  let clu: Config['recognizer']['clu'];
  let luis: Config['recognizer']['luis'];
  if (e.RECOGNIZER === 'clu') {
    if (!e.CLU_ENDPOINT || !e.CLU_KEY || !e.CLU_PROJECT || !e.CLU_DEPLOYMENT) {
      problems.push('RECOGNIZER=clu needs CLU_ENDPOINT, CLU_KEY, CLU_PROJECT and CLU_DEPLOYMENT');
    } else {
      clu = { endpoint: e.CLU_ENDPOINT, key: e.CLU_KEY, project: e.CLU_PROJECT, deployment: e.CLU_DEPLOYMENT };
    }
  }
  if (e.RECOGNIZER === 'luis') {
    if (!e.LUIS_ENDPOINT || !e.LUIS_APP_ID || !e.LUIS_KEY) {
      problems.push('RECOGNIZER=luis needs LUIS_ENDPOINT, LUIS_APP_ID and LUIS_KEY');
    } else {
      luis = { endpoint: e.LUIS_ENDPOINT, appId: e.LUIS_APP_ID, key: e.LUIS_KEY, slot: e.LUIS_SLOT };
    }
  }
  if (e.MicrosoftAppId && e.MicrosoftAppType !== 'UserAssignedMSI' && !e.MicrosoftAppPassword) {
    problems.push('MicrosoftAppId is set: MicrosoftAppPassword is required unless MicrosoftAppType=UserAssignedMSI');
  }
  if (e.MicrosoftAppType === 'SingleTenant' && e.MicrosoftAppId && !e.MicrosoftAppTenantId) {
    problems.push('MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId');
  }
  if (e.NODE_ENV === 'production' && e.PUBLIC_BASE_URL && !e.PUBLIC_BASE_URL.startsWith('https://')) problems.push('PUBLIC_BASE_URL must be https in production');
  if (e.NODE_ENV === 'production' && !e.PSEUDONYM_SECRET) {
    problems.push('PSEUDONYM_SECRET is required in production (the key of the pseudonymous conversation ids)');
  }
  let officeHours: OfficeHours | undefined;
  try {
    officeHours = parseOfficeHours(e.OFFICE_HOURS);
  } catch (error) {
    problems.push(`OFFICE_HOURS: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (e.NODE_ENV === 'production' && !e.OPERATOR_TOKEN_SECRET) {
    problems.push('OPERATOR_TOKEN_SECRET is required in production (the key of the operator console tokens)');
  }
  if (e.NODE_ENV === 'production' && !e.DATA_ENCRYPTION_KEY) {
    problems.push('DATA_ENCRYPTION_KEY is required in production (at least 32 characters: the key of citizens\' words at rest)');
  }
  if (e.REDIS_URL) {
    // Every instance must open what another wrote and signed: the store is shared, and so are the keys.
    if (!e.MONGODB_URI) problems.push('REDIS_URL (cluster mode) needs MONGODB_URI: several instances cannot share the embedded SQLite store');
    const shared: [string, string | undefined][] = [
      ['DIRECTLINE_SECRET', e.DIRECTLINE_SECRET],
      ['OPERATOR_TOKEN_SECRET', e.OPERATOR_TOKEN_SECRET],
      ['PSEUDONYM_SECRET', e.PSEUDONYM_SECRET],
      ['DATA_ENCRYPTION_KEY', e.DATA_ENCRYPTION_KEY],
    ];
    for (const [name, value] of shared) {
      if (!value) problems.push(`REDIS_URL (cluster mode) needs ${name}, the same on every instance (a key per instance would make one instance's tokens or records unreadable on the others)`);
    }
  }
  const allowedOrigins = parseOrigins(e.ALLOWED_ORIGINS, e.NODE_ENV, problems);
  const botServiceUrlHosts = e.BOT_SERVICE_URL_HOSTS
    ? e.BOT_SERVICE_URL_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)
    : [...DEFAULT_BOT_SERVICE_URL_HOSTS];
  for (const host of botServiceUrlHosts) {
    if (!/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/.test(host)) problems.push(`BOT_SERVICE_URL_HOSTS: "${host}" is not a host name or *.domain pattern`);
  }
  const messengerVars = [e.MESSENGER_APP_SECRET, e.MESSENGER_VERIFY_TOKEN, e.MESSENGER_PAGE_ACCESS_TOKEN];
  let messenger: Config['messenger'];
  if (messengerVars.some(Boolean)) {
    if (!e.MESSENGER_APP_SECRET || !e.MESSENGER_VERIFY_TOKEN || !e.MESSENGER_PAGE_ACCESS_TOKEN) {
      problems.push('Messenger needs all three of MESSENGER_APP_SECRET, MESSENGER_VERIFY_TOKEN and MESSENGER_PAGE_ACCESS_TOKEN');
    } else {
      messenger = {
        appSecret: e.MESSENGER_APP_SECRET,
        verifyToken: e.MESSENGER_VERIFY_TOKEN,
        pageAccessToken: e.MESSENGER_PAGE_ACCESS_TOKEN,
        graphUrl: e.MESSENGER_GRAPH_URL,
        pageId: e.MESSENGER_PAGE_ID,
      };
    }
  }
  const staffing = { target: parsedOr(problems, 'STAFFING_TARGET', () => parseServiceTarget(e.STAFFING_TARGET)), shrinkage: parsedOr(problems, 'STAFFING_SHRINKAGE', () => parseShrinkage(e.STAFFING_SHRINKAGE)) };
  let mail: Config['mail'];
  if (e.SMTP_URL) {
    let host = '';
    try {
      host = new URL(e.SMTP_URL).hostname;
    } catch {
      // reported below with the others
    }
    if (!host) problems.push('SMTP_URL: must name the mail server host, such as smtp://user:password@host:587');
    if (!e.MAIL_FROM) problems.push('SMTP_URL is set: MAIL_FROM is required (the sender citizens see, such as Comune di Milano <noreply@comune.milano.it>)');
    else if (host) mail = { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM };
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const config: Config = {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    knowledgeBaseDir: path.resolve(cwd, e.KB_DIR),
    watchKnowledgeBase: e.KB_WATCH === 'auto' ? e.NODE_ENV === 'development' : e.KB_WATCH === 'true',
    dataDir: path.resolve(cwd, e.DATA_DIR),
    botAuth: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      tenantId: e.MicrosoftAppTenantId,
    },
    recognizer: { kind: e.RECOGNIZER, timeoutMs: e.REMOTE_RECOGNIZER_TIMEOUT_MS, clu, luis },
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    contactCentre: {
      hoursIt: e.CONTACT_CENTRE_HOURS_IT,
      hoursEn: e.CONTACT_CENTRE_HOURS_EN,
      writtenRequestUrl: e.WRITTEN_REQUEST_URL,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    directLine: { secret: e.DIRECTLINE_SECRET },
    messenger,
    metricsToken: e.METRICS_TOKEN,
    edge: { allowedOrigins, trustProxyHops: e.TRUST_PROXY_HOPS, botServiceUrlHosts },
    directLineLimits: {
      maxActivitiesPerConversation: e.DIRECTLINE_MAX_ACTIVITIES,
      maxConversationBytes: e.DIRECTLINE_MAX_CONVERSATION_KB * 1024,
      conversationsPerMinute: e.DIRECTLINE_CONVERSATIONS_PER_MINUTE,
      maxMemoryBytes: e.DIRECTLINE_MEMORY_MB * 1024 * 1024,
    },
    handoff: {
      officeHours: officeHours as OfficeHours,
      officeHoursSpec: e.OFFICE_HOURS,
      mode: e.HANDOFF_MODE,
      queueCapacity: e.HANDOFF_QUEUE_CAPACITY,
      queueTimeoutSec: e.HANDOFF_QUEUE_TIMEOUT_SEC,
      operatorAwayAfterMs: e.OPERATOR_AWAY_AFTER_MS ?? e.OPERATOR_AWAY_AFTER_SEC * 1000,
      operatorTokenSecret: e.OPERATOR_TOKEN_SECRET,
    },
    handoffCitizens: {
      presenceTimeoutMs: Math.round(e.HANDOFF_PRESENCE_TIMEOUT_SEC * 1000),
      idleCloseMs: Math.round(e.HANDOFF_IDLE_CLOSE_SEC * 1000),
      sweepIntervalMs: e.HANDOFF_SWEEP_INTERVAL_MS,
    },
    staffing: staffing as Config['staffing'],
    mail,
    cluster: e.REDIS_URL ? { redisUrl: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX } : undefined,
    storage: {
      mongodbUri: e.MONGODB_URI,
      mongodbDb: e.MONGODB_DB,
      pseudonymSecret: e.PSEUDONYM_SECRET,
      retentionDays: e.RETENTION_DAYS,
      eventBufferMax: e.EVENT_BUFFER_MAX,
      dataEncryptionKey: e.DATA_ENCRYPTION_KEY,
    },
  };
  return deepFreeze(config);
}

/**
 * ALLOWED_ORIGINS: comma-separated origins such as `https://www.comune.milano.it`. Unset or `*`
 * outside production: any origin (local development embeds the widget from anywhere). In
 * production `*` is refused and unset means no other origin.
 */
function parseOrigins(raw: string | undefined, env: string, problems: string[]): readonly string[] | 'any' {
  const value = raw?.trim();
  if (!value || value === '*') {
    if (value === '*' && env === 'production') problems.push('ALLOWED_ORIGINS: "*" is not allowed in production; list the portal origins');
    return env === 'production' ? [] : 'any';
  }
  const origins: string[] = [];
  for (const item of value.split(',').map((o) => o.trim()).filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== item.replace(/\/$/, '')) {
      problems.push(`ALLOWED_ORIGINS: "${item}" is not an origin (scheme://host[:port], no path)`);
      continue;
    }
    if (env === 'production' && url.protocol !== 'https:') problems.push(`ALLOWED_ORIGINS: "${item}" must be https in production`);
    origins.push(url.origin);
  }
  return origins;
}

/** The parsed value, or undefined with the parser's message added to the problems under the variable's name. */
function parsedOr<T>(problems: string[], name: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
