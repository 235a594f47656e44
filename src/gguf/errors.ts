/** A problem with a model file: which file, what is wrong, what is supported. */
export class GgufError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly supported?: string,
  ) {
    super(`${file}: ${problem}${supported ? ` (${supported})` : ''}`);
    this.name = 'GgufError';
  }
}
