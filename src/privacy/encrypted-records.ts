import type { HandoffSession, HandoffStore, TicketRecord, TicketStore, TranscriptEntry } from '../storage/ports';
import { parseHandoffSession, parseTicketRecord, parseTranscriptEntry } from '../storage/record-schemas';
import { isSealed, SEALED_FIELD, sealedWrapper, type RecordCipher } from './encryption';

/**
 * Field by field sealing of written requests and handoff sessions: what queries filter and sort
 * on (states, instants, channel, conversation id, phone code, operator) stays in clear in the
 * adapters' columns; the citizen's words and identifiers are sealed, each bound to its record
 * and field. Values stored in clear before the upgrade are read as they are.
 */

function openField(cipher: RecordCipher, value: string, context: string): string {
  return isSealed(value) ? cipher.open(value, context) : value;
}

function ticketContext(reference: string, field: 'contactEmail' | 'description' | 'answer' | 'closeNote' | 'transcript'): string {
  return `ticket/${reference}/${field}`;
}

function sealTicket(cipher: RecordCipher, ticket: TicketRecord): TicketRecord {
  return {
    ...ticket,
    contactEmail: cipher.seal(ticket.contactEmail, ticketContext(ticket.reference, 'contactEmail')),
    description: cipher.seal(ticket.description, ticketContext(ticket.reference, 'description')),
    ...(ticket.answer !== undefined ? { answer: cipher.seal(ticket.answer, ticketContext(ticket.reference, 'answer')) } : {}),
    ...(ticket.closeNote !== undefined ? { closeNote: cipher.seal(ticket.closeNote, ticketContext(ticket.reference, 'closeNote')) } : {}),
    ...(ticket.transcript ? { transcript: ticket.transcript.map((e) => sealEntry(cipher, e, ticketContext(ticket.reference, 'transcript'))) } : {}),
  };
}

function openTicket(cipher: RecordCipher, ticket: TicketRecord): TicketRecord {
  return {
    ...ticket,
    contactEmail: openField(cipher, ticket.contactEmail, ticketContext(ticket.reference, 'contactEmail')),
    description: openField(cipher, ticket.description, ticketContext(ticket.reference, 'description')),
    ...(ticket.answer !== undefined ? { answer: openField(cipher, ticket.answer, ticketContext(ticket.reference, 'answer')) } : {}),
    ...(ticket.closeNote !== undefined ? { closeNote: openField(cipher, ticket.closeNote, ticketContext(ticket.reference, 'closeNote')) } : {}),
    ...(ticket.transcript ? { transcript: ticket.transcript.map((e) => openEntry(cipher, e, ticketContext(ticket.reference, 'transcript'))) } : {}),
  };
}

/**
 * Written requests with their contact e-mail, description, answer, closing note and transcript texts sealed.
 *
 * @example
 * const tickets = sealedTicketStore(backend.tickets, cipher);
 */
export function sealedTicketStore(inner: TicketStore, cipher: RecordCipher): TicketStore {
  const open = (ticket: TicketRecord) => openTicket(cipher, ticket);
  return {
    nextReference: (year) => inner.nextReference(year),
    // Checked before sealing, so a bad record is refused naming its field, as the adapters do.
    create: async (ticket) => inner.create(sealTicket(cipher, parseTicketRecord(ticket, 'ticket to create'))),
    async get(reference) {
      const ticket = await inner.get(reference);
      return ticket ? open(ticket) : undefined;
    },
    list: async (state) => (await inner.list(state)).map(open),
    async search(query) {
      const found = await inner.search(query);
      return { tickets: found.tickets.map(open), count: found.count };
    },
    countByState: () => inner.countByState(),
    claimReply: (reference, claim) => inner.claimReply(reference, claim),
    releaseReply: (reference, by) => inner.releaseReply(reference, by),
    recordAnswer: (reference, answer) => inner.recordAnswer(reference, { ...answer, text: cipher.seal(answer.text, ticketContext(reference, 'answer')) }),
    close: (reference, closing) =>
      inner.close(reference, closing.note !== undefined ? { ...closing, note: cipher.seal(closing.note, ticketContext(reference, 'closeNote')) } : closing),
    purgeClosedBefore: (before) => inner.purgeClosedBefore(before),
    forConversation: async (conversationId) => (await inner.forConversation(conversationId)).map(open),
    replaceText: async (reference, text) =>
      inner.replaceText(reference, {
        contactEmail: cipher.seal(text.contactEmail, ticketContext(reference, 'contactEmail')),
        description: cipher.seal(text.description, ticketContext(reference, 'description')),
      }),
  };
}

type HandoffField = 'reference' | 'description' | 'transcript' | 'message';

function handoffContext(id: string, field: HandoffField): string {
  return `handoff/${id}/${field}`;
}

function sealEntry(cipher: RecordCipher, entry: TranscriptEntry, context: string): TranscriptEntry {
  return { ...entry, text: cipher.seal(entry.text, context) };
}

function openEntry(cipher: RecordCipher, entry: TranscriptEntry, context: string): TranscriptEntry {
  return { ...entry, text: openField(cipher, entry.text, context) };
}

function sealSession(cipher: RecordCipher, session: HandoffSession): HandoffSession {
  const { id } = session;
  return {
    ...session,
    reference: { [SEALED_FIELD]: cipher.seal(JSON.stringify(session.reference), handoffContext(id, 'reference')) },
    description: cipher.seal(session.description, handoffContext(id, 'description')),
    transcript: session.transcript.map((e) => sealEntry(cipher, e, handoffContext(id, 'transcript'))),
    messages: session.messages.map((e) => sealEntry(cipher, e, handoffContext(id, 'message'))),
  };
}

function openReference(cipher: RecordCipher, session: HandoffSession): Readonly<Record<string, unknown>> {
  const sealed = sealedWrapper(session.reference);
  if (sealed === undefined) return session.reference;
  const context = handoffContext(session.id, 'reference');
  const value = JSON.parse(cipher.open(sealed, context)) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`invalid handoff session "${session.id}": its sealed reference is not a JSON object`);
  return value as Record<string, unknown>;
}

function openSession(cipher: RecordCipher, session: HandoffSession): HandoffSession {
  const { id } = session;
  return {
    ...session,
    reference: openReference(cipher, session),
    description: openField(cipher, session.description, handoffContext(id, 'description')),
    transcript: session.transcript.map((e) => openEntry(cipher, e, handoffContext(id, 'transcript'))),
    messages: session.messages.map((e) => openEntry(cipher, e, handoffContext(id, 'message'))),
  };
}

/**
 * Handoff sessions with the conversation reference (it holds the channel's user id), the
 * description, the transcript's and the live chat's texts sealed.
 *
 * @example
 * const handoffs = sealedHandoffStore(backend.handoffs, cipher);
 */
export function sealedHandoffStore(inner: HandoffStore, cipher: RecordCipher): HandoffStore {
  const open = (session: HandoffSession) => openSession(cipher, session);
  const openMaybe = (session: HandoffSession | undefined) => (session ? open(session) : undefined);
  return {
    create: async (session) => inner.create(sealSession(cipher, parseHandoffSession(session, 'handoff session to create'))),
    get: async (id) => openMaybe(await inner.get(id)),
    activeFor: async (channel, conversationId) => openMaybe(await inner.activeFor(channel, conversationId)),
    active: async () => (await inner.active()).map(open),
    byPhoneCode: async (code) => openMaybe(await inner.byPhoneCode(code)),
    transition: async (id, from, change, holder) => openMaybe(await inner.transition(id, from, change, holder)),
    appendMessage: async (id, entry) => inner.appendMessage(id, sealEntry(cipher, parseTranscriptEntry(entry, `message for handoff "${id}"`), handoffContext(id, 'message'))),
    recentlyHandled: async (limit) => (await inner.recentlyHandled(limit)).map(open),
    purgeEndedBefore: (before) => inner.purgeEndedBefore(before),
    forConversation: async (channel, conversationId) => (await inner.forConversation(channel, conversationId)).map(open),
    history: async (query) => (await inner.history(query)).map(open),
  };
}
