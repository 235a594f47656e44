import { clip, MESSAGE_MAX, oneLine } from '../util/message';

/**
 * A problem with a model file: which file, what is wrong, what is supported — one line of at most
 * 300 characters, with non-printing characters from the file escaped.
 */
export class GgufError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly supported?: string,
  ) {
    const f = clip(file, 80);
    const sup = supported ? ` (${oneLine(supported, 120)})` : '';
    super(`${f}: ${oneLine(problem, MESSAGE_MAX - f.length - 2 - sup.length)}${sup}`);
    this.name = 'GgufError';
  }
}
