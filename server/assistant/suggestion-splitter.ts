import { MAX_SUGGESTIONS } from '../../protocol/assistant.ts';
import { SUGGESTION_SEPARATOR } from './prompt.ts';

/**
 * Splits the model's streamed text into suggestions at lines holding only `---`, as it streams: text is
 * handed on at once except a trailing piece of a line that may still turn out to be a separator.
 */
export class SuggestionSplitter {
  private index = 0;
  /** The current line while it could still become a separator (only at a line start). */
  private pending = '';
  private atLineStart = true;
  /** Text of the current suggestion not yet handed on. */
  private out = '';

  constructor(
    private readonly emit: (index: number, text: string) => void,
    private readonly max = MAX_SUGGESTIONS,
  ) {}

  push(text: string): void {
    for (const ch of text) this.take(ch);
    if (this.atLineStart && couldBeSeparator(this.pending)) {
      this.handOn();
      return;
    }
    this.out += this.pending;
    this.pending = '';
    this.handOn();
  }

  /** End of stream: whatever is held is text. */
  end(): void {
    if (!isSeparator(this.pending)) this.out += this.pending;
    this.pending = '';
    this.handOn();
  }

  private take(ch: string): void {
    if (!this.atLineStart) {
      this.out += ch;
      if (ch === '\n') this.atLineStart = true;
      return;
    }
    if (ch === '\n') {
      if (isSeparator(this.pending)) {
        this.pending = '';
        this.handOn();
        if (this.index < this.max - 1) this.index++;
        return;
      }
      this.out += `${this.pending}\n`;
      this.pending = '';
      return;
    }
    this.pending += ch;
    if (!couldBeSeparator(this.pending)) {
      this.out += this.pending;
      this.pending = '';
      this.atLineStart = false;
    }
  }

  private handOn(): void {
    if (this.out) this.emit(this.index, this.out);
    this.out = '';
  }
}

const isSeparator = (line: string): boolean => line.trim() === SUGGESTION_SEPARATOR;
const couldBeSeparator = (line: string): boolean => /^[ \t]*-{0,3}[ \t]*$/.test(line);
