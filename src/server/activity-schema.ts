import { z } from 'zod';

/** Activity types of the Bot Framework protocol; anything else is refused with 400. */
export const ACTIVITY_TYPES = [
  'message', 'conversationUpdate', 'contactRelationUpdate', 'typing', 'endOfConversation', 'event', 'invoke', 'invokeResponse',
  'deleteUserData', 'messageUpdate', 'messageDelete', 'installationUpdate', 'messageReaction', 'suggestion', 'trace', 'handoff',
  'command', 'commandResult',
] as const;

/** Longest text accepted at the HTTP edge; the dialog asks for shorter questions well before this. */
export const MAX_TEXT_CHARS = 10_000;

/**
 * The part of an incoming activity Dialogo relies on, checked before any bot code runs.
 * Other fields pass through untouched for botbuilder.
 */
export const incomingActivitySchema = z
  .object({
    type: z.enum(ACTIVITY_TYPES, { error: (issue) => (issue.input === undefined ? 'is required' : `"${String(issue.input)}" is not an activity type`) }),
    text: z.string().max(MAX_TEXT_CHARS, `is longer than ${MAX_TEXT_CHARS} characters`).optional(),
    serviceUrl: z.string().url('must be a URL').optional(),
    channelId: z.string().min(1).optional(),
    conversation: z.object({ id: z.string().min(1, 'must not be empty') }).passthrough().optional(),
    from: z.object({ id: z.string() }).passthrough().optional(),
    attachments: z.array(z.object({ contentType: z.string() }).passthrough()).optional(),
  })
  .passthrough()
  .superRefine((activity, ctx) => {
    if (activity.type === 'message' && !activity.conversation) ctx.addIssue({ code: 'custom', path: ['conversation'], message: 'is required for a message' });
  });
