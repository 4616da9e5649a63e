/**
 * The order and rounding every insight computation shares. A module of its own, with no imports, because
 * workflow code uses it too (the digest's period and order): the workflow bundle then does not carry the
 * extractor's text handling and stop-word table, whose set-up would otherwise run for every workflow.
 */

/** Weights are stored rounded, so the same computation gives byte-identical documents and edges. */
export const WEIGHT_DECIMALS = 6;

export const round = (value: number, decimals = WEIGHT_DECIMALS) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

/** Code-point order: the same on every machine, unlike localeCompare. */
export function compareTerms(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
