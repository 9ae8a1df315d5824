// Which sentences share a decoder run: one direction, and, for packages whose decoder graphs take src_len (they mask
// each row's padding), any source lengths: a sentence that finishes leaves the run (beam.ts), and padding costs the
// decoder only masked cross-attention positions. Their encoder runs are grouped by length (encoderGroups), so that
// the encoder does little work on padding. Older graphs have no padding mask, and only equal lengths share a run.

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
 * Source lengths (in tokens) that share one encoder run in a padded batch: 1-8, 9-16, ... . The encoder's work grows
 * with the padded length (self-attention over it), so a run keeps its padding under a bucket's width.
 */
export const LENGTH_BUCKET = 8;

/** Indices of `lengths` grouped for the encoder: same bucket, in index order; groups ordered by their first index. */
export function encoderGroups(lengths: number[]): number[][] {
  const groups = new Map<number, number[]>();
  lengths.forEach((n, i) => {
    const bucket = Math.ceil(n / LENGTH_BUCKET);
    const group = groups.get(bucket);
    if (group) group.push(i);
    else groups.set(bucket, [i]);
  });
  return [...groups.values()];
}

/**
 * The batch key of a sentence: its direction, and its length when the package's graphs cannot pad. One decoder run
 * for sentences of every length, instead of one per length bucket: the bench's batch of 9 sentences of 5-60 words
 * per direction, greedy, took 0.85x the CPU (docs/PERFORMANCE.md, "One decoder run for every length").
 */
export function batchKey(direction: string, srcLength: number, padded: boolean): string {
  return padded ? direction : `${direction}:${srcLength}`;
}
