import type Nodemailer from 'nodemailer';
import type { TicketRecord } from '../storage/ports';

/** One plain-text e-mail to a citizen. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends e-mails; rejects when the mail server did not accept the message. */
export interface RequestMailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * Time limits of one SMTP send, so that an operator waits seconds, not minutes, for a server
 * that does not answer (nodemailer's defaults are 2 and 10 minutes), and so that the answer's
 * claim (WrittenRequests' claimTtlMs) outlives any send.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/** The longest a send may take under {@link SMTP_TIMEOUTS}. */
export const MAX_SEND_MS = SMTP_TIMEOUTS.connectionTimeout + SMTP_TIMEOUTS.greetingTimeout + SMTP_TIMEOUTS.socketTimeout;

/**
 * A mailer on the SMTP server of `url` (smtp://user:pass@host:587 upgrades with STARTTLS when
 * the server offers it; smtps:// is TLS from the start), sending as `from`.
 *
 * @example
 * const mailer = smtpMailer({ url: 'smtp://dialogo:secret@smtp.comune.milano.it:587', from: 'Comune di Milano <noreply@comune.milano.it>' });
 * await mailer.send({ to: 'anna@example.org', subject: 'Comune di Milano - risposta alla richiesta DLG-2026-000001', text: '...' });
 */
export function smtpMailer(options: { readonly url: string; readonly from: string }): RequestMailer {
  // Required here, where mail is configured: most deployments never load nodemailer.
  const nodemailer = require('nodemailer') as typeof Nodemailer;
  const transport = nodemailer.createTransport({ url: options.url, ...SMTP_TIMEOUTS });
  return {
    async send(mail) {
      await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}

const SIGNATURE = {
  it: 'Contact centre 020202 - Comune di Milano',
  en: '020202 contact centre - Comune di Milano (City of Milan)',
} as const;

const NO_NAME = {
  it: 'Un operatore del contact centre 020202',
  en: 'An operator of the 020202 contact centre',
} as const;

function dayOf(iso: string, language: 'it' | 'en'): string {
  return new Intl.DateTimeFormat(language === 'it' ? 'it-IT' : 'en-GB', { timeZone: 'Europe/Rome', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));
}

function quoted(text: string): string {
  return text.split(/\r?\n/).map((line) => `> ${line}`).join('\n');
}

/**
 * The e-mail that answers `ticket`, in the citizen's language: the reference in the subject,
 * the question they asked quoted, the answer, and the operator's display name (never the login;
 * without one, the contact centre signs).
 *
 * @example
 * answerMail(ticket, 'Il rimborso si chiede online...', 'Giulia B.').subject; // 'Comune di Milano - risposta alla richiesta DLG-2026-000001'
 */
export function answerMail(ticket: TicketRecord, answer: string, operatorDisplayName: string | undefined): OutgoingMail {
  const language = ticket.language;
  const signedBy = operatorDisplayName?.trim() || NO_NAME[language];
  const day = dayOf(ticket.createdAt, language);
  if (language === 'en') {
    return {
      to: ticket.contactEmail,
      subject: `Comune di Milano - answer to your request ${ticket.reference}`,
      text: [
        'Hello,',
        '',
        `this is the answer to the written request ${ticket.reference} you left with the City of Milan's assistant on ${day}:`,
        '',
        quoted(ticket.description),
        '',
        answer,
        '',
        signedBy,
        SIGNATURE.en,
        '',
        `Please quote ${ticket.reference} if you contact us again about this request.`,
      ].join('\n'),
    };
  }
  return {
    to: ticket.contactEmail,
    subject: `Comune di Milano - risposta alla richiesta ${ticket.reference}`,
    text: [
      'Gentile cittadina, gentile cittadino,',
      '',
      `rispondiamo alla richiesta scritta ${ticket.reference} che ha lasciato all'assistente del Comune di Milano il ${day}:`,
      '',
      quoted(ticket.description),
      '',
      answer,
      '',
      signedBy,
      SIGNATURE.it,
      '',
      `Se ci scrive ancora per questa richiesta, indichi il codice ${ticket.reference}.`,
    ].join('\n'),
  };
}
