/**
 * Portuguese and English stop words for the keyword extractor, written accent-folded and lower-case (the
 * form `normalizeText` produces), so "não", "nao" and "NÃO" are all the same stop word. Function words,
 * auxiliaries and the most common verbs and adverbs: words that say nothing about what an insight is about.
 */
const portuguese = `
a à ao aos aquela aquelas aquele aqueles aquilo as às até com como contra contudo da das de dela delas dele
deles depois desde dessa dessas desse desses desta destas deste destes do dos e é ela elas ele eles em entre
era eram essa essas esse esses esta está estamos estão estar estas estava estavam este estes estou eu foi
fomos for foram fosse fossem fui há isso isto já lhe lhes mais mas me mesmo meu meus minha minhas muito
muitos na não nas nem no nos nós nossa nossas nosso nossos num numa o os ou para pela pelas pelo pelos
perante por porque pois quais qual quando que quem se seja sejam sem ser será serão seu seus si sido sob
sobre sua suas também tambem te tem têm temos tenho ter teu teus tinha tinham toda todas todo todos tu tua
tuas um uma umas uns vai vão você vocês vos ainda aqui ali lá assim bem cada cá coisa coisas deve devem
dever diz dizer dois duas enquanto então entao faz fazer feito fez hoje logo lo la los las mesma mesmos
mesmas nada nenhum nenhuma ninguém nunca onde outra outras outro outros pode podem poder pouco pouca
poucos poucas qualquer quase sempre sim só tal tanto tão tudo vez vezes agora apenas antes após sendo
sido tendo tive teve tivemos tiveram houve havia haver seria seriam sera estao sao voce voces nao ja
pra pro pras pros né ne num numas nuns daquele daquela disso disto nisso nisto naquele naquela dessa
deste desta desse
`;

const english = `
a about above after again against all am an and any are aren't as at be because been before being below
between both but by can cannot could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just let me more most my
myself no nor not now of off on once only or other ought our ours ourselves out over own same she should so
some such than that the their theirs them themselves then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your yours yourself
yourselves also among another anyway became become becomes does done either else ever every get gets got
however may might must never often one onto per perhaps quite rather really said say says since still
thus together toward towards upon us use used using via want wants well whether within without yet
its it's isn't don't doesn't didn't won't can't i'm you're we're they're i've we've they've there's
that's what's let's shall much many like just new make makes made
`;

/** Every stop word, accent-folded and lower-case; apostrophes are dropped the way tokenizing drops them. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `${portuguese} ${english}`
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((word) => {
      const folded = word.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
      // "don't" tokenizes to "don" + "t": keep the whole word and its first part.
      return folded.includes("'") ? [folded.replace(/'/g, ''), folded.split("'")[0]!] : [folded];
    }),
);
