import { EventEmitter } from 'node:events';
import type { OperatorIdentity } from './handoff-service';
import { answerMail, MAX_SEND_MS, type RequestMailer } from './request-mailer';
import type { Logger } from '../logger';
import type { HandoffSession, HandoffStore, TicketOutcome, TicketQuery, TicketRecord, TicketState, TicketStore, TranscriptEntry } from '../storage/ports';

/** Why a request could not be answered or closed; the routes map each code to a catalogued HTTP error. */
export type RequestErrorCode =
  | 'REQUEST_NOT_FOUND'
  | 'REQUEST_NOT_OPEN'
  | 'REQUEST_BEING_ANSWERED'
  | 'REQUEST_CLOSED'
  | 'CLOSE_REASON_REQUIRED'
  | 'MAIL_NOT_CONFIGURED'
  | 'MAIL_FAILED';

/** A refusal of the written-request service, with an Italian message for the console. */
export class RequestError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** The conversation that led to a request, when the store still has it and the operator may read it. */
export interface RequestTranscript {
  /** The handoff session it comes from; null for the conversation kept with a request written without queueing. */
  readonly sessionId: string | null;
  readonly queuedAt: string | null;
  /** The operator who held the chat before the request was written, if one did. */
  readonly operator: string | null;
  /** The citizen's conversation with the bot, as shared with the queue. */
  readonly transcript: readonly TranscriptEntry[];
  /** The live chat with an operator, if there was one. */
  readonly messages: readonly TranscriptEntry[];
}

/** A request an operator answered or closed: what the analytics count (src/index.ts records it as an event). */
export interface RequestSettled {
  readonly request: TicketRecord;
  readonly kind: 'answered' | 'closed';
  /** The operator's login. */
  readonly by: string;
  readonly at: Date;
}

/** A search of the console: the store's filters, with the age in hours rather than an instant. */
export type RequestSearch = Omit<TicketQuery, 'createdBefore' | 'createdFrom'> & { readonly olderThanHours?: number };

const HOUR_MS = 3600_000;

/** What {@link WrittenRequests} works with. */
export interface WrittenRequestsOptions {
  readonly tickets: TicketStore;
  readonly handoffs: HandoffStore;
  /** Undefined when SMTP_URL is unset: requests can be read and closed, not answered. */
  readonly mailer: RequestMailer | undefined;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** After this long an answer's claim counts as left by a crash (default: twice the longest SMTP send). */
  readonly claimTtlMs?: number;
}

/**
 * The written channel worked to the end: search, read (with the conversation that led to the
 * request), answer by e-mail, close. Any operator may do each of these (the channel is shared by
 * the team); who did what is stored on the request. Emits `changed` after an answer or a close,
 * so that consoles refresh their counts, and `settled` ({@link RequestSettled}) for the analytics.
 *
 * @example
 * const requests = new WrittenRequests({ tickets, handoffs, mailer: smtpMailer({ url, from }), logger });
 * await requests.reply('DLG-2026-000001', who, 'Il rimborso si chiede online...');
 */
export class WrittenRequests extends EventEmitter {
  private readonly now: () => Date;
  private readonly claimTtlMs: number;

  constructor(private readonly options: WrittenRequestsOptions) {
    super();
    if (!options?.tickets || !options.handoffs) throw new Error('WrittenRequests needs the ticket and handoff stores');
    this.now = options.now ?? (() => new Date());
    this.claimTtlMs = options.claimTtlMs ?? 2 * MAX_SEND_MS;
  }

  /** True when answers can be e-mailed (SMTP_URL is set). */
  get mailConfigured(): boolean {
    return this.options.mailer !== undefined;
  }

  /**
   * The newest requests matching `filters` (`olderThanHours`: written at least that many hours
   * ago, the ones left waiting), how many match, and how many are in each state.
   */
  async search(filters: RequestSearch): Promise<{ requests: TicketRecord[]; count: number; totals: Record<TicketState, number> }> {
    const { olderThanHours, ...rest } = filters;
    const query: TicketQuery = olderThanHours === undefined ? rest : { ...rest, createdBefore: new Date(this.now().getTime() - olderThanHours * HOUR_MS) };
    const [found, totals] = await Promise.all([this.options.tickets.search(query), this.options.tickets.countByState()]);
    return { requests: found.tickets, count: found.count, totals };
  }

  /** How many requests are in each state (the console's badge counts the open ones). */
  totals(): Promise<Record<TicketState, number>> {
    return this.options.tickets.countByState();
  }

  /**
   * The request and the conversation it came from: the last handoff session of that conversation
   * queued before the request was written, else the conversation with the bot kept with the
   * request. A chat a colleague held stays theirs and the supervisors' (as in the queue).
   */
  async detail(reference: string, who: OperatorIdentity): Promise<{ request: TicketRecord; transcript: RequestTranscript | null; transcriptWithheld: boolean }> {
    const request = await this.options.tickets.get(reference);
    if (!request) throw new RequestError('REQUEST_NOT_FOUND', `Nessuna richiesta scritta con il codice ${reference}.`);
    const sessions = await this.options.handoffs.forConversation(request.channel, request.conversationId);
    const before = sessions.filter((s) => s.queuedAt <= request.createdAt).at(-1);
    if (!before) {
      const kept = request.transcript ? { sessionId: null, queuedAt: null, operator: null, transcript: request.transcript, messages: [] } : null;
      return { request, transcript: kept, transcriptWithheld: false };
    }
    if (!mayRead(before, who)) return { request, transcript: null, transcriptWithheld: true };
    return {
      request,
      transcript: { sessionId: before.id, queuedAt: before.queuedAt, operator: before.operator ?? null, transcript: before.transcript, messages: before.messages },
      transcriptWithheld: false,
    };
  }

  /**
   * E-mails `text` to the citizen and stores it as the request's answer. The request is claimed
   * first, so that of two operators answering at once one sends and the other is refused; if the
   * mail server refuses or does not answer, the claim is released and nothing is marked answered.
   */
  async reply(reference: string, who: OperatorIdentity, text: string): Promise<TicketRecord> {
    const mailer = this.options.mailer;
    if (!mailer) throw new RequestError('MAIL_NOT_CONFIGURED', 'Le risposte non possono essere inviate: SMTP non configurato.');
    const at = this.now();
    const claimed = await this.options.tickets.claimReply(reference, { by: who.name, at: at.toISOString(), staleBefore: this.staleBefore(at) });
    if (!claimed) throw await this.whyNotOpen(reference);
    let request: TicketRecord | undefined;
    try {
      request = await this.options.tickets.get(reference);
      if (!request) throw new RequestError('REQUEST_NOT_FOUND', `Nessuna richiesta scritta con il codice ${reference}.`);
    } catch (error) {
      // Nothing was sent: the request is free again at once rather than when the claim lapses.
      await this.options.tickets.releaseReply(reference, who.name);
      throw error;
    }
    try {
      await mailer.send(answerMail(request, text, who.displayName));
    } catch (error) {
      await this.options.tickets.releaseReply(reference, who.name);
      this.options.logger.warn({ err: error, reference }, 'answer to a written request not sent: the mail server refused it or did not answer');
      throw new RequestError('MAIL_FAILED', 'Il server di posta non ha accettato il messaggio: la risposta non è stata inviata. Il testo è ancora nel riquadro; riprova tra poco.');
    }
    const answeredAt = this.now().toISOString();
    if (!(await this.options.tickets.recordAnswer(reference, { by: who.name, at: answeredAt, text }))) {
      // Only a claim taken over as stale gets here: the mail went, so the citizen has the answer.
      this.options.logger.error({ reference, operator: who.name }, 'answer e-mailed but not stored: the claim was taken over');
      throw new RequestError('REQUEST_BEING_ANSWERED', 'La risposta è stata inviata ma non registrata: un collega ha preso la richiesta nel frattempo.');
    }
    this.emit('changed');
    this.emit('settled', { request, kind: 'answered', by: who.name, at: new Date(answeredAt) } satisfies RequestSettled);
    return { ...request, state: 'answered', answer: text, answeredBy: who.name, answeredAt };
  }

  /**
   * Closes the request with an outcome and a note; a request never answered needs the note (why
   * it is closed without an answer).
   */
  async close(reference: string, who: OperatorIdentity, outcome: TicketOutcome, note: string | undefined): Promise<TicketRecord> {
    const request = await this.options.tickets.get(reference);
    if (!request) throw new RequestError('REQUEST_NOT_FOUND', `Nessuna richiesta scritta con il codice ${reference}.`);
    if (request.state === 'closed') throw new RequestError('REQUEST_CLOSED', `La richiesta ${reference} è già chiusa.`);
    if (request.state === 'open' && !note) throw new RequestError('CLOSE_REASON_REQUIRED', 'La richiesta non ha ricevuto risposta: scrivi nella nota perché la chiudi.');
    const at = this.now();
    const closing = { by: who.name, at: at.toISOString(), staleBefore: this.staleBefore(at), outcome, ...(note ? { note } : {}) };
    if (!(await this.options.tickets.close(reference, closing))) throw await this.whyNotOpen(reference);
    this.emit('changed');
    this.emit('settled', { request, kind: 'closed', by: who.name, at } satisfies RequestSettled);
    return { ...request, state: 'closed', closedAt: closing.at, closedBy: who.name, outcome, ...(note ? { closeNote: note } : {}) };
  }

  private staleBefore(at: Date): string {
    return new Date(at.getTime() - this.claimTtlMs).toISOString();
  }

  private async whyNotOpen(reference: string): Promise<RequestError> {
    const request = await this.options.tickets.get(reference);
    if (!request) return new RequestError('REQUEST_NOT_FOUND', `Nessuna richiesta scritta con il codice ${reference}.`);
    if (request.state === 'closed') return new RequestError('REQUEST_CLOSED', `La richiesta ${reference} è già chiusa.`);
    if (request.state === 'answered') return new RequestError('REQUEST_NOT_OPEN', `Alla richiesta ${reference} ha già risposto ${request.answeredBy ?? 'un collega'}.`);
    return new RequestError('REQUEST_BEING_ANSWERED', `Un collega sta inviando la risposta alla richiesta ${reference}.`);
  }
}

/** A session that went from the queue to the written request is the team's; a held chat is its holder's. */
function mayRead(session: HandoffSession, who: OperatorIdentity): boolean {
  if (who.role === 'supervisor') return true;
  if (!session.operator) return true;
  return session.operator === who.name;
}
