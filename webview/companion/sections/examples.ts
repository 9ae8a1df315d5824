// The example sentences: the companion's own and the paper's (Figures 3 to 5).

/** Section 2: 은행 is a bank or a ginkgo nut; the rest of the sentence says which. */
export const BANK = '은행에 가서 돈을 찾았다';
/** Sections 3: the paper's title. */
export const TITLE = 'Attention is all you need.';
/** The paper's Figure 3 (a long-distance dependency: making … more difficult). */
export const FIGURE3 = 'It is in this spirit that a majority of American governments have passed new laws since 2009 making the registration or voting process more difficult.';
/** The paper's Figures 4 and 5 (anaphora of "its"; heads that follow the sentence's structure). */
export const FIGURE4 = 'The Law will never be perfect, but its application should be just - this is what we are missing, in my opinion.';
