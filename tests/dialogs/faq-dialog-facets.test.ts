import type { Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { FaqDialog } from '../../dialogs/faq-dialog';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base';
import type { Facet, Topic } from '../../src/knowledge/topic-schema';
import { LocalRecognizer } from '../../src/nlu/local-recognizer';
import { loadOutOfScope } from '../../src/nlu/out-of-scope';
import { CONTACT, KB_DIR, realRuntime } from '../fixtures/runtime';

interface Dialogo {
  topicId: string | null;
  facetId?: string | null;
  outcome: string;
  followUp?: boolean;
}

const dialogoOf = (activity: Partial<Activity>): Dialogo => (activity.channelData as { dialogo: Dialogo }).dialogo;
const buttonsOf = (activity: Partial<Activity>): string[] => (activity.suggestedActions?.actions ?? []).map((a) => String(a.title));

const facet = (id: string, it: string, en: string, samplesIt: string[], samplesEn: string[], answerIt: string, link?: string): Facet => ({
  id,
  shortTitle: { it, en },
  samples: { it: samplesIt, en: samplesEn },
  answer: { it: answerIt, en: `EN ${answerIt}` },
  ...(link ? { link } : {}),
  lastReviewed: '2026-12-05',
});

/** Facets written for this test, so that it does not depend on the editors' wording. */
const AREA_C_FACETS = [
  facet('costo', 'Quanto costa', 'Cost', ['quanto costa area c', 'prezzo del biglietto area c', 'tariffa giornaliera area c'], ['area c price', 'how much is the ticket'], 'Il biglietto giornaliero costa 7,50 euro.', 'https://areac.atm-mi.it/Areac/IWeb/Acquisto.aspx'),
  facet('orari', 'Orari', 'Hours', ['orari area c', 'area c è attiva il sabato', 'a che ora finisce area c'], ['area c hours', 'is area c active on saturday'], 'Area C è attiva dal lunedì al venerdì, 7:30-19:30.'),
  facet('esenzioni', 'Chi non paga', 'Who is exempt', ['le moto pagano area c', 'auto elettrica area c gratis', 'esenzione disabili area c', 'motorini in area c'], ['do motorbikes pay area c', 'electric car exempt'], 'Moto, motorini e auto elettriche entrano gratis.'),
  facet('pagamento', 'Come pagare', 'How to pay', ['come si paga area c', 'dove compro il biglietto area c', 'attivare il biglietto sulla targa'], ['how to pay area c', 'where to buy the ticket'], 'Compri e attivi il biglietto in MyAreaC entro la mezzanotte del giorno dopo.'),
];

const ID_CARD_FACETS = [
  facet('costo', 'Quanto costa', 'Cost', ['quanto costa la carta d identita', 'prezzo cie', 'quanto si paga per la carta'], ['how much is the id card', 'id card fee'], 'La carta costa 22,21 euro.'),
  facet('minori', 'Minorenni', 'Minors', ['carta d identita per mio figlio', 'cie per un bambino di 2 anni', 'neonato serve la carta', 'minorenne documento'], ['id card for my child', 'does a baby need an id card'], 'Anche i bambini possono averla, da zero anni: serve la presenza di un genitore.'),
  facet('prenotazione', 'Prenotare', 'Booking', ['prenotare appuntamento carta d identita', 'dove si fa la cie', 'agenda cie milano'], ['book id card appointment', 'where do i get it'], 'Si prenota online l’appuntamento in una sede anagrafica.'),
  facet('documenti', 'Cosa portare', 'What to bring', ['documenti per la carta d identita', 'cosa devo portare per la cie', 'serve la foto'], ['what to bring for id card', 'do i need a photo'], 'Porta una fototessera recente e il vecchio documento.'),
];

describe('FaqDialog answers the facet asked, and reads follow-ups in context', () => {
  let runtime: KnowledgeRuntime;

  beforeAll(async () => {
    const real = await realRuntime();
    const withFacets = (t: Topic): Topic =>
      t.id === 'area-c' ? { ...t, shortTitle: { it: 'Area C', en: 'Area C' }, facets: AREA_C_FACETS } : t.id === 'carta-identita' ? { ...t, facets: ID_CARD_FACETS } : t;
    const kb = new KnowledgeBase(real.kb.topics.map(withFacets), real.kb.synonyms);
    runtime = { kb, recognizer: LocalRecognizer.build(kb, await loadOutOfScope(KB_DIR)) };
  }, 60_000);

  afterEach(() => jest.restoreAllMocks());

  const client = () => new DialogTestClient('test', new FaqDialog({ runtime: () => runtime, contact: CONTACT }));

  test('a question on one facet gets that short answer first, its own page, and the other facets as buttons', async () => {
    const reply = await client().sendActivity('quanto costa il biglietto di area c?');
    expect(dialogoOf(reply)).toMatchObject({ topicId: 'area-c', facetId: 'costo', outcome: 'answered' });
    expect(reply.text?.startsWith('Il biglietto giornaliero costa 7,50 euro.')).toBe(true);
    expect(reply.text).toContain('https://areac.atm-mi.it/Areac/IWeb/Acquisto.aspx');
    expect(reply.text).toMatch(/Altro su questo tema/);
    expect(buttonsOf(reply)).toEqual(['Orari', 'Chi non paga', 'Come pagare', '👍', '👎']);
  });

  test('a general question gets the overview and every facet as a button; pressing one answers it', async () => {
    const c = client();
    const overview = await c.sendActivity('area c');
    expect(dialogoOf(overview)).toMatchObject({ topicId: 'area-c', facetId: null, outcome: 'answered' });
    expect(buttonsOf(overview)).toEqual(['Quanto costa', 'Orari', 'Chi non paga', 'Come pagare', '👍', '👎']);
    const hours = await c.sendActivity('Orari');
    expect(dialogoOf(hours)).toMatchObject({ topicId: 'area-c', facetId: 'orari', outcome: 'answered' });
    expect(hours.text?.startsWith('Area C è attiva dal lunedì al venerdì')).toBe(true);
  });

  test('"e per le moto?" right after the Area C answer is answered from Area C', async () => {
    const c = client();
    await c.sendActivity('quanto costa area c');
    const reply = await c.sendActivity('e per le moto?');
    expect(dialogoOf(reply)).toMatchObject({ topicId: 'area-c', facetId: 'esenzioni', outcome: 'answered', followUp: true });
  });

  test("a parent's follow-up after the identity card answer gets the minors' facet", async () => {
    const c = client();
    await c.sendActivity('come si fa la carta d identità');
    const reply = await c.sendActivity('cmq x mio figlio di 2 anni serve anche a lui?');
    expect(dialogoOf(reply)).toMatchObject({ topicId: 'carta-identita', facetId: 'minori', followUp: true });
  });

  test('a message that names another topic switches: "e la tari invece?" leaves Area C', async () => {
    const c = client();
    await c.sendActivity('quanto costa area c');
    const reply = await c.sendActivity('e la tari invece?');
    expect(dialogoOf(reply).topicId).toMatch(/^tari-/);
    expect(dialogoOf(reply).followUp).toBeUndefined();
  });

  test('the context fades: forty minutes later "e per le moto?" is no longer read as about Area C', async () => {
    const c = client();
    const start = Date.now();
    await c.sendActivity('quanto costa area c');
    jest.spyOn(Date, 'now').mockReturnValue(start + 40 * 60_000);
    const reply = await c.sendActivity('e per le moto?');
    expect(dialogoOf(reply).followUp).toBeUndefined();
  });
});
