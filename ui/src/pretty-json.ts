// JSON values pretty-printed as tokens for colouring, without the DOM. The layout is made from the
// value's own tokens rather than JSON.stringify(JSON.parse(...)): a number past 2^53 or an escape
// shows exactly as stored.

/** One piece of the printed value; `space` is layout (new lines, indentation, the blank after a colon). */
export interface JsonToken {
  readonly kind: 'key' | 'string' | 'number' | 'literal' | 'punctuation' | 'space';
  readonly text: string;
}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\],:]))/y;
const INDENT = '  ';

/** The value printed with two-space indentation, as tokens; undefined when it is not JSON. */
export function prettyJson(text: string): JsonToken[] | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  const raw: JsonToken[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null) {
      // Only trailing white space is left: JSON.parse accepted the text.
      if (text.slice(at).trim() === '') break;
      return undefined;
    }
    const [, string, number, literal, punctuation] = match;
    if (string !== undefined) raw.push({ kind: 'string', text: string });
    else if (number !== undefined) raw.push({ kind: 'number', text: number });
    else if (literal !== undefined) raw.push({ kind: 'literal', text: literal });
    else raw.push({ kind: 'punctuation', text: punctuation });
  }
  return layout(raw);
}

function layout(raw: readonly JsonToken[]): JsonToken[] {
  const out: JsonToken[] = [];
  let depth = 0;
  const newline = (): void => void out.push({ kind: 'space', text: `\n${INDENT.repeat(depth)}` });
  raw.forEach((token, i) => {
    const next = raw[i + 1]?.text;
    if (token.kind === 'string' && next === ':') {
      out.push({ kind: 'key', text: token.text });
      return;
    }
    if (token.text === '{' || token.text === '[') {
      out.push(token);
      if (next === '}' || next === ']') return;
      depth++;
      newline();
      return;
    }
    if (token.text === '}' || token.text === ']') {
      const previous = raw[i - 1]?.text;
      if (previous !== '{' && previous !== '[') {
        depth--;
        newline();
      }
      out.push(token);
      return;
    }
    out.push(token);
    if (token.text === ',') newline();
    else if (token.text === ':') out.push({ kind: 'space', text: ' ' });
  });
  return out;
}
