import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { ComponentDialog, DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { FaqDialog, type FaqDialogOptions } from './faq-dialog';
import { HandoffDialog, type HandoffDialogDependencies } from './handoff-dialog';

export const MAIN_DIALOG = 'mainDialog';

/** The FAQ dialog's options, plus the handoff dialog's dependencies when a person can be reached. */
export interface MainDialogOptions extends Omit<FaqDialogOptions, 'handoff'> {
  readonly handoff?: HandoffDialogDependencies;
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
  constructor(options: MainDialogOptions) {
    super(MAIN_DIALOG);
    const { handoff, ...faq } = options;
    this.addDialog(new FaqDialog({ ...faq, handoff: Boolean(handoff) }));
    if (handoff) this.addDialog(new HandoffDialog(handoff));
  }

  /** Runs one turn: continues the active dialog or begins the FAQ dialog. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogSet = new DialogSet(accessor);
    dialogSet.add(this);
    const dc = await dialogSet.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }
}
