/**
 * A small corpus whose relations can be checked by hand: three topics that share no tag and no term across
 * topics (after stop words and accent folding), so related insights never cross a topic.
 *   pix:      A1, A2 share tag pix and the terms pix, golpe, fraude, engenharia, social; A3 shares only the tag
 *             and the term pix with each, so A1 and A2 rank each other first. For A3 both have the same tag
 *             Jaccard (1/2); A2 has fewer terms, so its unit-length weight for pix is larger and A2 comes first.
 *   cafe:     B1, B2 share tag cafe and the terms torra, graos, arabica, notas.
 *   economia: C1, C2 share tag economia and the terms copom, selic, inflacao, juros.
 */
export interface CorpusItem {
  key: 'A1' | 'A2' | 'A3' | 'B1' | 'B2' | 'C1' | 'C2';
  user_id: string;
  title: string;
  content: string;
  tags: string[];
}

export const corpus = (run: string): CorpusItem[] => [
  {
    key: 'A1',
    user_id: `ana-${run}`,
    title: 'Fraude no PIX cresce',
    content: 'Golpistas usam o PIX para fraude com engenharia social. A fraude cresce quando o golpe explora a pressa da vítima.',
    tags: ['PIX', 'Fraude'],
  },
  {
    key: 'A2',
    user_id: `ana-${run}`,
    title: 'Golpe do PIX agendado',
    content: 'Um golpe novo agenda o PIX e some antes da confirmação. Engenharia social de novo, a mesma fraude de sempre.',
    tags: ['pix', 'segurança'],
  },
  {
    key: 'A3',
    user_id: `bia-${run}`,
    title: 'Lojas aceitam PIX',
    content: 'Pequenas lojas aceitam pagamento instantâneo pelo PIX no balcão.',
    tags: ['pix'],
  },
  {
    key: 'B1',
    user_id: `bia-${run}`,
    title: 'Cafés especiais de Minas',
    content: 'Cafés especiais de Minas Gerais ganham prêmios. A torra média realça notas de chocolate nos grãos arábica.',
    tags: ['café'],
  },
  {
    key: 'B2',
    user_id: `bia-${run}`,
    title: 'Torra clara para grãos arábica',
    content: 'A torra clara preserva a acidez dos grãos arábica e destaca notas florais.',
    tags: ['cafe', 'torra'],
  },
  {
    key: 'C1',
    user_id: `ana-${run}`,
    title: 'Selic e inflação',
    content: 'O Copom eleva a Selic para conter a inflação; juros altos encarecem o crédito.',
    tags: ['economia'],
  },
  {
    key: 'C2',
    user_id: `bia-${run}`,
    title: 'Copom mantém juros',
    content: 'Com a inflação controlada, o Copom mantém a Selic e os juros param de subir.',
    tags: ['economia', 'juros'],
  },
];

/** Hand-checked: who is related to whom, best first (see the file comment and docs/insights.md). */
export const expectedRelated: Record<CorpusItem['key'], Array<CorpusItem['key']>> = {
  A1: ['A2', 'A3'],
  A2: ['A1', 'A3'],
  A3: ['A2', 'A1'],
  B1: ['B2'],
  B2: ['B1'],
  C1: ['C2'],
  C2: ['C1'],
};
