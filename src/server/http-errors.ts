/**
 * The catalogue of errors Dialogo's HTTP endpoints answer with. Bodies are JSON
 * `{ error: { code, message, details? } }`, never a stack trace.
 */
export const HTTP_ERRORS = {
  INVALID_ACTIVITY: { status: 400, message: 'The body is not a valid activity' },
  NOT_JSON: { status: 400, message: 'The body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The body must be application/json' },
  UNSUPPORTED_CONTENT_ENCODING: { status: 415, message: 'Compressed bodies are not accepted: send the body uncompressed (Content-Encoding: identity)' },
  JSON_TOO_DEEP: { status: 400, message: 'The JSON body is nested deeper than allowed' },
  BODY_TOO_LARGE: { status: 413, message: 'The body is larger than allowed' },
  UNAUTHORIZED: { status: 401, message: 'Missing or invalid Bot Framework credentials' },
  SERVICE_URL_NOT_ALLOWED: { status: 403, message: 'The activity\'s serviceUrl is not a Bot Framework channel this bot answers' },
  ORIGIN_NOT_ALLOWED: { status: 403, message: 'This origin may not call Dialogo from a browser' },
  TOKEN_INVALID: { status: 403, message: 'Invalid Direct Line token, or a token of another conversation' },
  // Direct Line 3.0 documents 401 for a missing or malformed Authorization and the code `TokenExpired` (so spelled) with 403.
  CREDENTIALS_MISSING: { status: 401, message: 'Send Authorization: Bearer with a Direct Line token or secret' },
  TokenExpired: { status: 403, message: 'The Direct Line token has expired: refresh tokens before they expire, or start a new conversation' },
  CONVERSATIONS_RATE_LIMITED: { status: 429, message: 'Too many new conversations from this address; wait and try again' },
  DIRECTLINE_AT_CAPACITY: { status: 503, message: 'Dialogo holds as many conversations as it can right now; try again shortly' },
  SECRET_REQUIRED: { status: 403, message: 'Generating a Direct Line token needs the Direct Line secret' },
  CONVERSATION_NOT_FOUND: { status: 404, message: 'No such conversation' },
  ACTIVITY_TOO_LARGE: { status: 413, message: 'The activity is larger than 64 KB' },
  RATE_LIMITED: { status: 429, message: 'Too many activities; wait a moment and try again' },
  BAD_SIGNATURE: { status: 403, message: 'Missing or wrong X-Hub-Signature-256: the body is not signed with the app secret' },
  VERIFY_TOKEN_MISMATCH: { status: 403, message: 'Webhook verification failed: wrong hub.mode or hub.verify_token' },
  INVALID_WEBHOOK: { status: 400, message: 'The body is not a Messenger Platform page webhook' },
  CHANNEL_NOT_CONFIGURED: { status: 404, message: 'This channel is not configured on this server' },
  LOGIN_FAILED: { status: 401, message: 'Wrong username or password' },
  OPERATOR_TOKEN_INVALID: { status: 401, message: 'Missing, invalid or expired console token: sign in again' },
  FORBIDDEN: { status: 403, message: 'Your role does not allow this' },
  CONVERSATION_FORBIDDEN: { status: 403, message: 'Only the operator holding this conversation, and supervisors, may see it' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  GAP_NOT_FOUND: { status: 404, message: 'No knowledge gap with this key and language in the period' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed on this route' },
  INVALID_REQUEST: { status: 400, message: 'The request is not valid' },
  ALREADY_CLAIMED: { status: 409, message: 'Another operator took this conversation' },
  OPERATOR_AT_CAPACITY: { status: 409, message: 'You hold as many conversations as you may' },
  NOT_YOUR_CONVERSATION: { status: 409, message: 'Another operator holds this conversation' },
  NOT_CONNECTED: { status: 409, message: 'The conversation is not open with an operator' },
  SUPERVISOR_ONLY: { status: 403, message: 'Only supervisors may do this' },
  OPERATOR_NOT_FOUND: { status: 404, message: 'No enabled operator account with this name' },
  OPERATOR_UNAVAILABLE: { status: 409, message: 'The colleague is busy or away and takes no new conversation' },
  COLLEAGUE_AT_CAPACITY: { status: 409, message: 'The colleague holds as many conversations as they may' },
  ALREADY_HOLDER: { status: 409, message: 'The conversation is already held by this operator' },
  HOLDER_CHANGED: { status: 409, message: 'The conversation changed hands meanwhile' },
  MESSAGING_WINDOW_CLOSED: { status: 422, message: 'The channel no longer allows writing to this citizen' },
  UNKNOWN_PLACEHOLDER: { status: 400, message: 'The reply holds a placeholder the console cannot fill: use {{operatore}}, {{codice}} or {{argomento}}' },
  INVALID_PHONE_NUMBER: { status: 400, message: 'The callback number is not an Italian or international phone number' },
  CALLBACK_ALREADY_DONE: { status: 409, message: 'This callback was already made' },
  // Written requests (src/operators/request-routes.ts): the console shows these messages as they are.
  REQUEST_NOT_OPEN: { status: 409, message: 'La richiesta ha già avuto risposta' },
  REQUEST_BEING_ANSWERED: { status: 409, message: 'Un collega sta rispondendo a questa richiesta' },
  REQUEST_CLOSED: { status: 409, message: 'La richiesta è già chiusa' },
  CLOSE_REASON_REQUIRED: { status: 400, message: 'La richiesta non ha ricevuto risposta: scrivi nella nota perché la chiudi' },
  MAIL_FAILED: { status: 502, message: 'Il server di posta non ha accettato il messaggio: la risposta non è stata inviata' },
  MAIL_NOT_CONFIGURED: { status: 503, message: 'Le risposte non possono essere inviate: SMTP non configurato' },
  LOGIN_RATE_LIMITED: { status: 429, message: 'Too many failed sign-ins; wait and try again' },
  FORECAST_UNAVAILABLE: { status: 503, message: 'The demand forecast is not available yet; try again shortly' },
  NOT_READY: { status: 503, message: 'Dialogo is starting or reloading' },
  SHUTTING_DOWN: { status: 503, message: 'Dialogo is shutting down' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side' },
  STORE_UNAVAILABLE: { status: 503, message: 'The conversation store does not answer right now; try again shortly' },
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

export interface HttpErrorBody {
  readonly error: { readonly code: HttpErrorCode; readonly message: string; readonly details?: readonly string[] };
}

/** The status and JSON body of a catalogued error; `message` replaces the catalogue's (a reason for people). */
export function httpError(code: HttpErrorCode, details?: readonly string[], message?: string): { status: number; body: HttpErrorBody } {
  const { status, message: standard } = HTTP_ERRORS[code];
  return { status, body: { error: { code, message: message ?? standard, ...(details && details.length > 0 ? { details } : {}) } } };
}

/** Answers a catalogued error on any response that can send a status and a JSON body. */
export function sendError(res: { send(status: number, body: unknown): unknown }, code: HttpErrorCode, details?: readonly string[], message?: string): void {
  const { status, body } = httpError(code, details, message);
  res.send(status, body);
}
