// Which sentences share a decoder run: one direction, and encoder inputs of similar length. Packages whose decoder
// graphs take src_len pad a batch to its longest source and mask the padding, so lengths within one bucket share a
// run; older graphs have no padding mask, and only equal lengths can.

/**
 * Most decoder rows (sentences × beam) one batch runs. Measured with the CLI on FLORES ko→en (docs/PERFORMANCE.md,
 * "Sentence batching"): throughput levels off well before this, and the KV cache stays a few MB per row.
 */
export const MAX_BATCH_ROWS = 32;

/** Sentences per batch for a beam width: at least one. */
export function batchCap(beam: number, maxRows = MAX_BATCH_ROWS): number {
  return Math.max(1, Math.floor(maxRows / Math.max(1, beam)));
}

/**
 * Indices of `keys` split into batches of equal key, at most `cap` each, in index order inside a batch; the batches
 * ordered by their first index, so the finished part of a text grows from its start as batches complete.
 * A key of `undefined` is an item that goes alone.
 */
export function sentenceBatches(keys: (string | undefined)[], cap: number): number[][] {
  if (!(cap >= 1)) throw new Error(`a batch holds at least one sentence, not ${cap}`);
  const open = new Map<string, number[]>();
  const batches: number[][] = [];
  keys.forEach((key, i) => {
    if (key === undefined) return void batches.push([i]);
    let batch = open.get(key);
    if (!batch || batch.length >= cap) {
      batch = [];
      open.set(key, batch);
      batches.push(batch);
    }
    batch.push(i);
  });
  return batches;      // pushed when opened, at their first index: already in order
}

/**
 * Source lengths (in tokens) that share one padded batch: 1-8, 9-16, ... . Padding costs encoder and cross-attention
 * work on positions that are masked out, so a batch keeps it under a bucket's width.
 */
export const LENGTH_BUCKET = 8;

/** The batch key of a sentence: its direction and its length, or its length's bucket when batches are padded. */
export function batchKey(direction: string, srcLength: number, padded: boolean): string {
  return `${direction}:${padded ? `~${Math.ceil(srcLength / LENGTH_BUCKET)}` : srcLength}`;
}
