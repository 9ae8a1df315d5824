// What tokenizer.json holds (written by `python3 -m models.training.tokenizer json`) and what encode() returns.
// No Node or DOM imports.

/** Piece types, as in sentencepiece_model.proto. */
export const PieceType = {
  Normal: 1,
  Unknown: 2,
  Control: 3,
  UserDefined: 4,
  Unused: 5,
  Byte: 6,
} as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

/** tokenizer.json, written by `python3 -m models.training.tokenizer json`. */
export interface TokenizerJSON {
  version: number;
  model: string;
  /** [piece, score, type] in id order. */
  pieces: [string, number, number][];
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  byteFallback: boolean;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
  normalization: string;
}

export interface Encoding {
  ids: number[];
  pieces: string[];
  /** [start, end) UTF-16 offsets into the string given to encode(), one per piece. */
  offsets: [number, number][];
}
