// The one composition root: reads the configuration, wires knowledge base, recognizer, bot,
// adapter and server, and owns start-up, reload and shutdown. No other module reads process.env.
import { randomUUID } from 'node:crypto';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  UserState,
  type TurnContext,
} from 'botbuilder';
import { languageOfLocale } from '../dialogs/faq-dialog';
import { MainDialog } from '../dialogs/main-dialog';
import { DialogoBot } from './bot/dialogo-bot';
import { MESSAGES } from './bot/messages';
import { RuntimeHolder, type KnowledgeRuntime } from './bot/runtime';
import { DirectLineAdapter } from './channels/directline/directline-adapter';
import { DIRECTLINE_PREFIX, mountDirectLine } from './channels/directline/directline-routes';
import { openConversations } from './channels/directline/open-conversations';
import { DirectLineTokens } from './channels/directline/tokens';
import { FacebookChannelMiddleware } from './channels/messenger/facebook-channel-middleware';
import { GraphClient } from './channels/messenger/graph-client';
import { MessengerAdapter } from './channels/messenger/messenger-adapter';
import { MESSENGER_PATH, mountMessenger } from './channels/messenger/messenger-routes';
import { ThreadClock } from './channels/messenger/messaging-window';
import { ConfigError, loadConfig, type Config } from './config';
import { KnowledgeSource } from './knowledge/knowledge-source';
import { watchKnowledgeBase } from './knowledge/watch-knowledge-base';
import { createLogger, type Logger } from './logger';
import { createRecognizer } from './nlu/create-recognizer';
import { loadLocalRecognizer } from './nlu/load-local-recognizer';
import { botEndpointPolicy } from './server/bot-endpoint';
import { createServer, type DialogoServer } from './server/create-server';
import { mountStaticRoutes } from './server/static-routes';
import { routeProcessWarnings } from './server/process-warnings';
import { createStopper } from './server/stop-on-signal';
import { InteractionMiddleware, type EventSink } from './bot/interaction-middleware';
import { DialogoMetrics } from './server/metrics';
import { AnalyticsAggregator } from './analytics/aggregator';
import { electAnalyticsLeader } from './analytics/cluster-analytics';
import { EventTail } from './analytics/event-tail';
import { mountAnalyticsApi } from './analytics/analytics-routes';
import { mountLinkRedirect } from './analytics/link-redirect';
import { mountChannelFigures } from './analytics/channel-routes';
import { RollupDayCache, warmDayCacheLater } from './analytics/rollup-day-cache';
import { romeDay } from './analytics/rome-day';
import { mountCommunicationsApi } from './knowledge/communications-routes';
import { mountForecastApi } from './forecast/forecast-routes';
import { ForecastService } from './forecast/forecast-service';
import { extraOperatorsFor } from './staffing/communication-staffing';
import { officeHourOpen } from './staffing/staffing';
import { StaffingPlanStore } from './staffing/staffing-plan';
import { mountStaffingApi } from './staffing/staffing-routes';
import { mountMetrics } from './server/metrics-route';
import { ChannelGateway } from './bot/citizen-gateway';
import type { Coordinator } from './cluster/coordinator';
import { ElectedJobs } from './cluster/elected-jobs';
import { SharedCitizenPresence } from './cluster/shared-citizen-presence';
import { SharedOperatorPresence } from './cluster/shared-operator-presence';
import { wireClusterEvents } from './cluster/cluster-events';
import { openCoordination } from './cluster/open-coordinator';
import { HandoffGate } from './bot/handoff-gate';
import { transcriptFromEvents } from './bot/handoff-transcript';
import { CitizenPresence } from './handoff/citizen-presence';
import { HandoffService, type LifecycleEvent } from './handoff/handoff-service';
import { WrapUpRecorder } from './handoff/wrap-up';
import { OperatorAccounts } from './operators/operator-accounts';
import { mountOperatorApi } from './operators/operator-routes';
import { smtpMailer } from './handoff/request-mailer';
import { WrittenRequests, type RequestSettled } from './handoff/written-requests';
import { requestSettledEvent } from './analytics/analytics-events';
import { OperatorTokens } from './operators/operator-tokens';
import { pseudonymousId } from './privacy/pseudonymize';
import type { InteractionEvent } from './storage/interaction-event';
import type { TranscriptEntry } from './storage/ports';
import { InteractionRecorder } from './storage/interaction-recorder';
import { openStorage, pseudonymSecret } from './storage/open-storage';
import { JsonConversationState } from './storage/json-conversation-state';
import { ResilientStorage } from './storage/resilient-storage';
import { purgedTotal, purgeOlderThan } from './storage/retention';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A running Dialogo: its server, its knowledge and how to stop it. */
export interface Dialogo {
  readonly config: Config;
  readonly server: DialogoServer;
  readonly runtime: RuntimeHolder;
  readonly recorder: InteractionRecorder;
  /** The in-process Direct Line channel; `sendToConversation` is the way in for proactive messages. */
  readonly directLine: DirectLineAdapter;
  /** Facebook Messenger through the webhook, when configured; `sendToConversation` takes an author. */
  readonly messenger: MessengerAdapter | undefined;
  /** The handoff queue and sessions (the operator console's core). */
  readonly handoff: HandoffService;
  /** Operator accounts (as `npm run operators` manages them). */
  readonly operators: OperatorAccounts;
  /** What this instance shares with the others: in-process alone, Redis in cluster mode. */
  readonly coordinator: Coordinator;
  readonly metrics: DialogoMetrics;
  readonly port: number;
  stop(): Promise<void>;
}

async function buildRuntime(config: Config, logger: Logger, metrics: DialogoMetrics, dir: string, where: 'here' | { worker: AbortSignal }): Promise<KnowledgeRuntime> {
  const started = Date.now();
  const { kb, recognizer: local } = await loadLocalRecognizer(dir, where === 'here' ? {} : { worker: { signal: where.worker } });
  const recognizer = metrics.timed(createRecognizer(config, local, logger));
  logger.info({ topics: kb.size, recognizer: recognizer.name, ms: Date.now() - started }, 'knowledge base loaded');
  return { kb, recognizer };
}

/** Seams for tests and the demo seed: the clock of events, the handoff queue and Messenger's windows. */
export interface StartOptions {
  readonly now?: () => Date;
  /** On SQLite, take DATA_DIR for this process (default true); the demo seed, a tool, leaves it. */
  readonly instanceLock?: boolean;
}

/**
 * Starts Dialogo with a parsed configuration; resolves once the server listens.
 *
 * @example
 * const dialogo = await startDialogo(loadConfig({ PORT: '0' }));
 * await dialogo.stop();
 */

export async function startDialogo(config: Config, logger: Logger = createLogger(config.logLevel), options: StartOptions = {}): Promise<Dialogo> {
  // What start-up opened, closed again if a later step fails: a failed start must not keep the data
  // folder's lock or a Redis connection (a retry in the same process would be refused).
  const opened: (() => Promise<void>)[] = [];
  try {
    return await start(config, logger, options, opened);
  } catch (error) {
    for (const close of opened.reverse()) await close().catch((inner: unknown) => logger.warn({ err: inner }, 'not closed after a failed start'));
    throw error;
  }
}

async function start(config: Config, logger: Logger, options: StartOptions, opened: (() => Promise<void>)[]): Promise<Dialogo> {
  const now = options.now ?? (() => new Date());
  // The gauges read the handoff service, made further down; they are read only when scraped.
  let handoffCounts = () => ({ queued: 0, connected: 0 });
  let operatorsOnline = () => 0;
  const metrics = new DialogoMetrics({ queue: () => handoffCounts(), operatorsOnline: () => operatorsOnline() });
  // The store first: a second server on the same SQLite folder is refused at once, before the
  // knowledge base is built (seconds).
  const backend = await openStorage(config, { instanceLock: options.instanceLock ?? true, onUnreadable: (error) => logger.warn({ err: error }, 'sealed state item unreadable: read as missing') });
  opened.push(() => backend.close());
  logger.info({ storage: backend.kind }, 'storage open');
  const { coordinator, loginLimiter } = await openCoordination(config, logger);
  opened.push(() => coordinator.close());
  // A reload in progress at shutdown is abandoned (its worker ended), not waited for.
  const reloads = new AbortController();
  const knowledge = new KnowledgeSource({ dir: config.knowledgeBaseDir, dataDir: config.dataDir, production: config.env === 'production', logger, build: (dir) => buildRuntime(config, logger, metrics, dir, 'here'),
    // Start-up builds here (nothing is served yet; a worker would only add its start-up); a reload, while
    // turns are served, trains in a worker thread (issue 16).
    rebuild: (dir) => buildRuntime(config, logger, metrics, dir, { worker: reloads.signal }) });
  const runtime = new RuntimeHolder(await knowledge.start());

  const clustered = coordinator.kind === 'redis';
  logger.info({ coordinator: coordinator.kind, instance: coordinator.instanceId }, clustered ? 'cluster mode: Redis coordinates, MongoDB holds the truth' : 'single instance');
  // The embedded store, held by the instance lock, has no other writer: its state is served from
  // memory and written behind. MongoDB may be shared by other instances: every turn reads it.
  const storage = new ResilientStorage(backend.state, logger, { ownsStore: backend.kind === 'sqlite' && (options.instanceLock ?? true) });
  const recorder = new InteractionRecorder(backend.events, logger, { maxBuffered: config.storage.eventBufferMax });
  recorder.start();
  const purge = async () => {
    try {
      const cutoff = new Date(Date.now() - config.storage.retentionDays * DAY_MS);
      const purged = await purgeOlderThan(backend, cutoff);
      storage.forgetRemembered();
      if (purgedTotal(purged) > 0) logger.info({ ...purged, retentionDays: config.storage.retentionDays }, 'retention: old records purged');
    } catch (error) {
      logger.warn({ err: error }, 'retention purge failed; next attempt tomorrow');
    }
  };

  const conversationState = new JsonConversationState(storage);
  const userState = new UserState(storage);
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.botAuth.appId ?? '',
    MicrosoftAppPassword: config.botAuth.appPassword ?? '',
    MicrosoftAppType: config.botAuth.appType,
    MicrosoftAppTenantId: config.botAuth.tenantId ?? '',
  });
  const adapter = new CloudAdapter(auth);
  const onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, conversation: context.activity.conversation?.id, channel: context.activity.channelId }, 'unhandled turn error');
    try {
      await context.sendActivity({
        type: 'message',
        text: MESSAGES.error[languageOfLocale(context.activity.locale)],
        channelData: { dialogo: { topicId: null, confidence: null, outcome: 'fallback' } },
      });
      await conversationState.delete(context);
    } catch (inner) {
      logger.error({ err: inner }, 'could not tell the citizen about the error');
    }
  };

  const secret = pseudonymSecret(config);
  // Direct Line tells it who is there; the handoff sweep abandons the queued citizens who left.
  // In cluster mode both presences are shared through the coordinator: a console on one instance is
  // capacity for a citizen on another, and the elected sweeper sees streams open anywhere.
  const presenceClock = () => now().getTime();
  const presence = clustered
    ? new SharedCitizenPresence({ coordinator, timeoutMs: config.handoffCitizens.presenceTimeoutMs, now: presenceClock, logger })
    : new CitizenPresence({ timeoutMs: config.handoffCitizens.presenceTimeoutMs, now: presenceClock });
  if (presence instanceof SharedCitizenPresence) presence.start();
  const operatorPresence = clustered ? new SharedOperatorPresence({ coordinator, awayAfterMs: config.handoff.operatorAwayAfterMs, now: presenceClock, logger }) : undefined;
  await operatorPresence?.start();
  const handoff = new HandoffService({
    store: backend.handoffs,
    tickets: backend.tickets,
    hours: config.handoff.officeHours,
    capacity: config.handoff.queueCapacity,
    queueTimeoutMs: config.handoff.queueTimeoutSec * 1000,
    operatorAwayAfterMs: config.handoff.operatorAwayAfterMs,
    offerWhenNoOperator: config.handoff.mode === 'console',
    logger,
    now,
    wrapUp: new WrapUpRecorder({ notes: backend.handoffNotes, callbacks: backend.callbacks }, now),
    citizens: { presence, idleCloseMs: config.handoffCitizens.idleCloseMs },
    ...(operatorPresence ? { operatorPresence } : {}),
    ...(clustered ? { cluster: { coordinator } } : {}),
  });
  await handoff.start();
  handoffCounts = () => handoff.counts();
  operatorsOnline = () => handoff.onlineOperators().length;
  // One instance counts its own turns in memory. In a cluster a citizen's turns land on several
  // instances: one elected instance counts every instance's events from the store instead, and no
  // per-process aggregator runs (its checkpoint would overwrite the tail's; docs/metrics.md).
  const aggregator = clustered
    ? undefined
    : new AnalyticsAggregator(backend.rollups, {
        flushIntervalMs: 5000,
        sweepLagMs: 60_000,
        now,
        onError: (error) => logger.warn({ err: error }, 'analytics rollups not written; kept for the next flush'),
      });
  await aggregator?.start();
  const clusterAnalytics = clustered
    ? electAnalyticsLeader(coordinator, new EventTail(backend.events, backend.rollups, { now, onError: (error) => logger.warn({ err: error }, 'analytics tail: retried at the next tick') }), {
        onError: (error) => logger.warn({ err: error }, 'analytics leadership'),
      })
    : undefined;
  // Every interaction event goes to the store (recorder), the rollups (aggregator) and the metrics.
  const events: EventSink = {
    record(event) {
      recorder.record(event);
      aggregator?.observe(event);
      metrics.observe(event);
    },
  };
  handoff.on('lifecycle', (event: LifecycleEvent) => events.record(lifecycleEvent(event, secret)));
  const transcriptOf = async (context: TurnContext): Promise<TranscriptEntry[]> => {
    const conversationId = pseudonymousId(secret, context.activity.channelId ?? 'unknown', context.activity.from?.id ?? context.activity.conversation?.id ?? 'unknown');
    const since = new Date(now().getTime() - DAY_MS);
    try {
      // The citizen's last turns may still be in the recorder's buffer: write them first (twice:
      // a flush already running does not include what was buffered after it began).
      await recorder.flush();
      await recorder.flush();
      return transcriptFromEvents(await backend.events.query({ conversationId, from: since, limit: 200 }), runtime.current());
    } catch (error) {
      logger.warn({ err: error }, 'transcript for the operator not available');
      return [];
    }
  };
  const dialog = new MainDialog({
    runtime: () => runtime.current(),
    contact: config.contactCentre,
    ...(config.publicBaseUrl ? { linkBase: config.publicBaseUrl } : {}),
    handoff: { handoff, contact: config.contactCentre, transcriptOf, mode: config.handoff.mode },
    // The communications calendar's day: notices, recognition priors and the greeting's news.
    now,
  });
  const bot = new DialogoBot(conversationState, userState, dialog, new HandoffGate(handoff, config.handoff.mode, (context) => context.adapter === adapter));
  const botLogic = (context: TurnContext) => bot.run(context);
  // The store itself: DurableConversationStore is its own cache, bounded in bytes (docs/directline.md).
  const conversations = openConversations(config, backend, clustered, logger);
  // Cluster mode: a conversation's turns run one at a time across instances, as they do within one.
  const turnLock = (channel: string) => (clustered ? (key: string, work: () => Promise<void>) => coordinator.withLock(`turn:${channel}:${key}`, work) : undefined);
  const directLine = new DirectLineAdapter({
    store: conversations,
    botLogic,
    turnLock: turnLock('directline'),
    onError: (error, conversation) => logger.error({ err: error, conversation, channel: 'directline' }, 'direct line turn failed'),
  });
  const messenger = config.messenger
    ? new MessengerAdapter({
        graph: new GraphClient({ baseUrl: config.messenger.graphUrl, pageAccessToken: config.messenger.pageAccessToken, logger }),
        threads: new ThreadClock(storage, { cache: !clustered }),
        botLogic,
        turnLock: turnLock('facebook'),
        logger,
        pageId: config.messenger.pageId,
        now: () => now().getTime(),
      })
    : undefined;
  // Messenger relayed by Azure's Facebook channel is shaped like Dialogo's own Messenger channel.
  adapter.use(new FacebookChannelMiddleware());
  // Every channel runs the same middleware and error handling: a turn is a turn, whichever way it came.
  const interactions = new InteractionMiddleware(events, secret, (error) => logger.warn({ err: error }, 'interaction not recorded'), now);
  for (const channelAdapter of [adapter, directLine, ...(messenger ? [messenger] : [])]) {
    channelAdapter.use(interactions);
    channelAdapter.onTurnError = onTurnError;
  }
  const server = createServer({
    adapter,
    botLogic,
    logger,
    rawBodyPaths: [MESSENGER_PATH],
    botEndpoint: botEndpointPolicy(config),
    cors: { allowedOrigins: config.edge.allowedOrigins, paths: [`${DIRECTLINE_PREFIX}/`, '/widget.js', '/webchat/'] },
    readiness: () => {
      const events = recorder.status;
      const degraded = events.degraded || storage.degraded;
      return {
        ready: runtime.current().kb.size > 0,
        details: {
          topics: runtime.current().kb.size,
          recognizer: runtime.current().recognizer.name,
          knowledgeBaseGeneration: runtime.generation,
          knowledgeBase: knowledge.status,
          channels: { directline: true, messenger: Boolean(messenger) },
          storage: { kind: backend.kind, status: degraded ? 'degraded' : 'ok', bufferedEvents: events.buffered, droppedEvents: events.dropped, pendingStateWrites: storage.pendingWrites },
          // The reason of a degraded coordinator names hosts: it goes to the logs, not to this public route.
          cluster: { coordinator: coordinator.kind, instance: coordinator.instanceId, status: coordinator.health().state, since: coordinator.health().since, leading: jobs.isLeading },
        },
      };
    },
  });

  mountStaticRoutes(server.server);
  mountMetrics(server.server, metrics, config.metricsToken);
  const directLineEndpoint = mountDirectLine(server.server, {
    adapter: directLine,
    tokens: new DirectLineTokens(config.directLine.secret),
    secret: config.directLine.secret,
    logger,
    coordinator,
    conversationsPerMinute: config.directLineLimits.conversationsPerMinute,
    trustProxyHops: config.edge.trustProxyHops,
    presence,
  });
  handoff.setGateway(new ChannelGateway({ directLine, messenger, cloud: adapter, appId: config.botAuth.appId ?? '' }));
  const operators = new OperatorAccounts(backend.operators);
  const operatorTokens = new OperatorTokens(config.handoff.operatorTokenSecret);
  // Conversations silent for 30 minutes end now rather than at the next timer tick.
  const refreshRollups = (): Promise<void> => {
    if (!aggregator) return clusterAnalytics?.refresh() ?? Promise.resolve();
    aggregator.sweep(new Date(now().getTime() - 60_000));
    return aggregator.flush();
  };
  // One cache of the days' rollups for the summary, the exports and the channel figures.
  const dayCache = new RollupDayCache(backend.rollups);
  mountAnalyticsApi(server.server, {
    rollups: backend.rollups,
    accounts: operators,
    tokens: operatorTokens,
    runtime: () => runtime.current(),
    knowledgeBaseDir: config.knowledgeBaseDir,
    logger,
    refresh: refreshRollups,
    now,
    handoff,
    openBeganOn: aggregator ? (day) => aggregator.openBeganOn(day) : undefined,
    dayCache,
  });
  // The calendar the bot serves (the last good one after a bad edit); each reload may change it.
  const forecast = new ForecastService({ rollups: backend.rollups, calendar: () => ({ communications: runtime.current().kb.calendar.communications, version: String(runtime.generation) }), logger, now, refresh: refreshRollups });
  mountForecastApi(server.server, { forecast, accounts: operators, tokens: operatorTokens, logger });
  const staffing = mountStaffingApi(server.server, {
    forecast: () => forecast.current(),
    rollups: backend.rollups,
    plans: new StaffingPlanStore(storage, now, (issues) => logger.warn({ issues }, 'staffing plan unreadable: treated as none')),
    accounts: operators,
    tokens: operatorTokens,
    // Outside 020202's hours a request for a person becomes a written request: no operator needed.
    settings: { ...config.staffing, openHour: officeHourOpen(config.handoff.officeHours) },
    logger,
    now,
  });
  mountChannelFigures(server.server, {
    rollups: backend.rollups,
    accounts: operators,
    tokens: operatorTokens,
    runtime: () => runtime.current(),
    logger,
    refresh: refreshRollups,
    dayCache,
  });
  mountLinkRedirect(server.server, { runtime: () => runtime.current(), coordinator, trustProxyHops: config.edge.trustProxyHops, record: (event) => events.record(event), now });
  mountCommunicationsApi(server.server, {
    accounts: operators,
    tokens: operatorTokens,
    runtime: () => runtime.current(),
    logger,
    now,
    extraOperators: async () => {
      const [result, model] = await Promise.all([forecast.current(), staffing.model()]);
      return (c) => extraOperatorsFor(c, result, model.queue, model.settings);
    },
  });
  const mailer = config.mail ? smtpMailer({ url: config.mail.smtpUrl, from: config.mail.from }) : undefined;
  if (!mailer) logger.warn('SMTP_URL is unset: operators can read and close written requests but not answer them');
  const requests = new WrittenRequests({ tickets: backend.tickets, handoffs: backend.handoffs, mailer, logger, now });
  requests.on('settled', (settled: RequestSettled) => events.record(requestSettledEvent(settled, secret)));
  const operatorApi = mountOperatorApi(server.server, {
    handoff,
    accounts: operators,
    tokens: operatorTokens,
    limiter: loginLimiter,
    trustProxyHops: config.edge.trustProxyHops,
    runtime: () => runtime.current(),
    logger,
    workspace: { cannedReplies: backend.cannedReplies, notes: backend.handoffNotes, callbacks: backend.callbacks, sessions: backend.handoffs, tickets: backend.tickets },
    requests,
  });
  // Periodic jobs run on the elected instance only (this one, alone); a sweep never overlaps the previous one,
  // so a slow store does not make two sweeps tell a citizen the same thing twice.
  const jobs = new ElectedJobs(
    coordinator,
    [
      { name: 'retention', intervalMs: DAY_MS, run: purge, runWhenElected: true },
      { name: 'handoff-sweep', intervalMs: config.handoffCitizens.sweepIntervalMs, run: () => handoff.sweep() },
    ],
    logger,
    (leading) => void handoff.setLeading(leading).catch((error: unknown) => logger.warn({ err: error }, 'queue positions not loaded')),
  );
  jobs.start();
  const cluster = clustered ? await wireClusterEvents(coordinator, handoff, requests, jobs, config.handoffCitizens.sweepIntervalMs, logger) : undefined;
  const messengerEndpoint = mountMessenger(server.server, { adapter: messenger, appSecret: config.messenger?.appSecret, verifyToken: config.messenger?.verifyToken, logger });
  if (!config.directLine.secret && config.env === 'production') {
    logger.warn('DIRECTLINE_SECRET is unset: anyone can generate Direct Line tokens');
  }

  const watcher = config.watchKnowledgeBase
    ? watchKnowledgeBase(config.knowledgeBaseDir, {
        logger,
        reload: async () => runtime.replace(await knowledge.reload()),
      })
    : undefined;
  await watcher?.ready;

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.server.listen(config.port, config.host, () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, host: config.host, watch: Boolean(watcher) }, 'Dialogo listening');
  forecast.start();
  const stopWarmingDays = warmDayCacheLater(dayCache, { today: () => romeDay(now().getTime()), onError: (error) => logger.warn({ err: error }, 'analytics day cache not warmed') });

  return {
    config,
    server,
    runtime,
    recorder,
    directLine,
    messenger,
    handoff,
    operators,
    coordinator,
    metrics,
    port,
    async stop() {
      // One deadline for the whole stop (the signal handler exits at SHUTDOWN_GRACE_MS whatever happens):
      // turns in flight get the grace less a reserve, so that the events they produced are still drained.
      const deadline = Date.now() + config.shutdownGraceMs;
      const turnsMs = config.shutdownGraceMs - Math.min(2000, Math.floor(config.shutdownGraceMs / 4));
      reloads.abort();
      await watcher?.close();
      await forecast.stop();
      stopWarmingDays();
      await jobs.stop();
      await cluster?.stop();
      await operatorApi.shutdown();
      handoff.presence.stop();
      // Withdraws this instance's consoles at once, so the others do not wait for its snapshot to expire.
      await operatorPresence?.close().catch((error: unknown) => logger.warn({ err: error }, 'operator presence not withdrawn'));
      if (presence instanceof SharedCitizenPresence) presence.stop();
      mailer?.close();
      // Concurrently: the HTTP server waits for its sockets, which the Direct Line endpoint closes once its turns are done.
      await Promise.all([
        directLineEndpoint.shutdown(turnsMs),
        messengerEndpoint.shutdown(turnsMs),
        server.shutdown(turnsMs),
      ]);
      await conversations.flush?.();
      await storage.flush();
      await recorder.drain(Math.max(0, deadline - Date.now() - 100));
      aggregator?.sweep(new Date(now().getTime() - 60_000));
      await aggregator?.stop().catch((error: unknown) => logger.warn({ err: error }, 'analytics rollups not written at shutdown: npm run analytics:rebuild recomputes them'));
      await clusterAnalytics?.close().catch((error: unknown) => logger.warn({ err: error }, 'analytics tail not stopped cleanly'));
      await coordinator.close().catch((error: unknown) => logger.warn({ err: error }, 'coordinator not closed cleanly'));
      await backend.close();
    },
  };
}

/** A handoff step as an interaction event (for the analytics): no text, the session's state and times. */
function lifecycleEvent(event: LifecycleEvent, secret: string): InteractionEvent {
  const { session } = event;
  const userId = String((session.reference as { user?: { id?: unknown } }).user?.id ?? session.conversationId);
  return {
    eventId: randomUUID(),
    ts: event.at.toISOString(),
    conversationId: pseudonymousId(secret, session.channel, userId),
    channel: session.channel,
    language: session.language,
    activityType: 'handoff',
    text: null,
    outcome: 'handoff',
    topicId: session.topicId,
    confidence: null,
    answerTopicId: null,
    feedback: null,
    latencyMs: 0,
    handoff: {
      state: event.state,
      at: event.at.toISOString(),
      sessionId: session.id,
      ...(event.waitSec !== undefined ? { waitSec: event.waitSec } : {}),
      ...(event.handleSec !== undefined ? { handleSec: event.handleSec } : {}),
      ...(session.outcome ? { outcome: session.outcome } : {}),
      ...(session.operator ? { operator: session.operator } : {}),
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  routeProcessWarnings(logger);
  const starting = startDialogo(config, logger);
  let dialogo: Dialogo | undefined;
  // Registered before start-up ends: a SIGTERM that arrives while the store opens or the server binds
  // gets the same orderly, time-boxed stop instead of the default action.
  const onSignal = createStopper({
    stop: async () => (await starting).stop(),
    graceMs: config.shutdownGraceMs,
    logger,
    describe: () => ({ inFlight: dialogo?.server.inFlight() ?? 0 }),
  });
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  try {
    dialogo = await starting;
  } catch (error) {
    logger.fatal({ err: error }, 'Dialogo could not start');
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
