import type { Activity, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { ComponentDialog, DialogSet, DialogTurnStatus, type DialogState } from './sdk';
import { FaqDialog, type FaqDialogOptions } from './faq-dialog';
import { HandoffDialog, type HandoffDialogDependencies } from './handoff-dialog';
import type { KnowledgeRuntime } from '../src/bot/runtime';
import type { Language } from '../src/knowledge/topic-schema';
import { DEFAULT_BANDS } from '../src/nlu/recognizer';

export const MAIN_DIALOG = 'mainDialog';

/**
 * Where botbuilder-dialogs looks for the memory scopes of a dialog context in the turn state. Left
 * empty, each turn's first context rebuilds them from the component registrations, the same every
 * time: one turn's are kept and given to the next.
 */
const STATE_MANAGER_CONFIGURATION = 'DialogStateManagerConfiguration';

/** The FAQ dialog's options, plus the handoff dialog's dependencies when a person can be reached. */
export interface MainDialogOptions extends Omit<FaqDialogOptions, 'handoff'> {
  readonly handoff?: HandoffDialogDependencies;
}

/**
 * The topic a citizen's request for a person is about: the recognizer's best topic when it is
 * confident enough to offer it (the disambiguation band), else null.
 */
export async function requestTopic(runtime: KnowledgeRuntime, text: string, language: Language): Promise<string | null> {
  const recognition = await runtime.recognizer.recognize(text, { languageHint: language });
  const top = recognition.intent === 'faq' ? recognition.candidates[0] : undefined;
  return top && top.confidence >= DEFAULT_BANDS.disambiguate ? top.topicId : null;
}

/**
 * The root dialog: the FAQ dialog, and beside it the handoff dialog (offer, description,
 * consent, queue or written request) that the FAQ dialog begins when a person adds value.
 *
 * @example
 * const dialog = new MainDialog({ runtime: () => holder.current(), contact, handoff: { handoff, contact, transcriptOf, mode: 'console' } });
 * await dialog.run(context, conversationState.createProperty('DialogState'));
 */
export class MainDialog extends ComponentDialog {
  private readonly faq: FaqDialog;
  private readonly runtime: () => KnowledgeRuntime;
  private stateManagerConfiguration: unknown;

  constructor(options: MainDialogOptions) {
    super(MAIN_DIALOG);
    const { handoff, ...faq } = options;
    this.faq = new FaqDialog({ ...faq, handoff: Boolean(handoff) });
    this.runtime = faq.runtime;
    this.addDialog(this.faq);
    if (handoff) this.addDialog(new HandoffDialog({ topicOf: (text, language) => requestTopic(faq.runtime(), text, language), ...handoff }));
  }

  /** The welcome a new member gets: the FAQ dialog's, with today's communications. */
  welcome(language: Language): Partial<Activity> {
    return this.faq.welcome(this.runtime().kb, language);
  }

  /** Runs one turn: continues the active dialog or begins the FAQ dialog. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    if (this.stateManagerConfiguration) context.turnState.set(STATE_MANAGER_CONFIGURATION, this.stateManagerConfiguration);
    const dialogSet = new DialogSet(accessor);
    dialogSet.add(this);
    const dc = await dialogSet.createContext(context);
    this.stateManagerConfiguration ??= context.turnState.get(STATE_MANAGER_CONFIGURATION);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }
}
