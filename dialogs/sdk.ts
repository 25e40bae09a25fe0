// The parts of botbuilder-dialogs that Dialogo uses, from the package's own modules rather than its
// index: the index also loads the prompts and, with them, Microsoft's recognizers-text for every
// language they support (dates, numbers, choices), 20 MB of heap that no Dialogo dialog uses; these
// modules load 2 MB. Same files as the index's, so classes are the same (instanceof holds either way).
export { ComponentDialog } from 'botbuilder-dialogs/lib/componentDialog';
export { Dialog, DialogTurnStatus, type DialogTurnResult } from 'botbuilder-dialogs/lib/dialog';
export { type DialogContext, type DialogState } from 'botbuilder-dialogs/lib/dialogContext';
export { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
