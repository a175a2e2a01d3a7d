// The web UI's logic that needs no browser: key order, folders, paging cursors, the SSE parser and
// the JSON pretty-printer (ui/src, bundled for the browser by ui/build.mjs).
import { childOf, compareKeys, crumbsOf, cursorAfter, prefixEnd } from '../../ui/src/keys';
import { prettyJson } from '../../ui/src/pretty-json';
import { SseParser } from '../../ui/src/sse';
import { SeededRandom } from '../support/seeded-random';

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('key order', () => {
  it('is UTF-8 byte order, as the store sorts (seeded random strings, astral characters included)', () => {
    const rng = new SeededRandom(23);
    const random = () => rng.next();
    const alphabet = ['a', 'z', '/', '0', 'é', '\uffff', '\ue000', '😀', '𝄞', '\u0000', 'ÿ'];
    const strings = Array.from({ length: 400 }, () =>
      Array.from({ length: Math.floor(random() * 5) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
    );
    for (let i = 1; i < strings.length; i++) {
      const [a, b] = [strings[i - 1], strings[i]];
      expect([a, b, Math.sign(compareKeys(a, b))]).toEqual([a, b, Math.sign(utf8Order(a, b))]);
    }
  });

  it('gives the end of a prefix: above every key starting with it, below every other key above it', () => {
    expect(prefixEnd('')).toBeUndefined();
    expect(prefixEnd('a/')).toBe('a0');
    expect(prefixEnd('ab')).toBe('ac');
    expect(prefixEnd('a\u{10FFFF}')).toBe('b');
    expect(prefixEnd('\u{10FFFF}')).toBeUndefined();
    expect(prefixEnd('a\ud7ff')).toBe('a\ue000');
    const end = prefixEnd('x😀')!;
    expect(compareKeys('x😀\u{10FFFF}\u{10FFFF}', end)).toBeLessThan(0);
    expect(compareKeys('x😁', end)).toBe(0);
  });
});

describe('folders', () => {
  it('group keys by their next `/`-separated segment', () => {
    expect(childOf('', 'a')).toEqual({ kind: 'key', name: 'a', key: 'a' });
    expect(childOf('', 'a/b/c')).toEqual({ kind: 'folder', name: 'a/', prefix: 'a/' });
    expect(childOf('a/', 'a/b/c')).toEqual({ kind: 'folder', name: 'b/', prefix: 'a/b/' });
    expect(childOf('a/', 'a/')).toEqual({ kind: 'key', name: '', key: 'a/' });
    expect(childOf('a/', 'b')).toBeUndefined();
  });

  it('make a breadcrumb from the root down', () => {
    expect(crumbsOf('')).toEqual([{ name: 'all keys', prefix: '' }]);
    expect(crumbsOf('a/b/')).toEqual([
      { name: 'all keys', prefix: '' },
      { name: 'a/', prefix: 'a/' },
      { name: 'b/', prefix: 'a/b/' },
    ]);
  });

  it('page past a whole folder once its row is shown, and stop at the end of the scope', () => {
    expect(cursorAfter('', '', 'k', undefined)).toEqual({ start: '', startAfter: 'k' });
    expect(cursorAfter('', '', 'big/000123', undefined)).toEqual({ start: 'big0' });
    expect(cursorAfter('a/', 'a/', 'a/b/c', 'a0')).toEqual({ start: 'a/b0' });
    expect(cursorAfter('a/', 'a/', 'a/\u{10FFFF}/c', 'a0')).toEqual({ start: 'a/\u{10FFFF}0' });
    // A search for "b/" in folder a/: the folder a/b/ is the whole scope.
    expect(cursorAfter('a/', 'a/b/', 'a/b/c', 'a/b0')).toBeUndefined();
  });
});

describe('the SSE parser', () => {
  const stream =
    'id: 7\nevent: change\ndata: {"revision":7}\n\n: comment\r\nid: 8\r\nevent: progress\r\ndata: a\r\ndata: b\r\n\r\n';

  it('splits messages, whatever the chunking (seeded cuts, line endings split)', () => {
    const rng = new SeededRandom(5);
    const random = () => rng.next();
    for (let round = 0; round < 50; round++) {
      const parser = new SseParser();
      const messages = [];
      let at = 0;
      while (at < stream.length) {
        const next = Math.min(stream.length, at + 1 + Math.floor(random() * 6));
        messages.push(...parser.push(stream.slice(at, next)));
        at = next;
      }
      expect(messages).toEqual([
        { event: 'change', data: '{"revision":7}', id: '7' },
        { event: 'progress', data: 'a\nb', id: '8' },
      ]);
    }
  });

  it('holds back a message until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('event: change\ndata: x\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'change', data: 'x', id: '' }]);
  });
});

describe('the JSON pretty-printer', () => {
  const text = (value: string) =>
    prettyJson(value)
      ?.map((token) => token.text)
      .join('');

  it('indents objects and arrays, keeping numbers and escapes exactly as written', () => {
    expect(text('{"a":[1,2],"b":{},"c":[],"n":12345678901234567890,"s":"\\u003c"}')).toBe(
      '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {},\n  "c": [],\n  "n": 12345678901234567890,\n  "s": "\\u003c"\n}',
    );
    expect(text(' 42 ')).toBe('42');
  });

  it('names what each token is, for its colour', () => {
    expect(prettyJson('{"k":"v","t":true}')?.filter((token) => token.kind !== 'space')).toEqual([
      { kind: 'punctuation', text: '{' },
      { kind: 'key', text: '"k"' },
      { kind: 'punctuation', text: ':' },
      { kind: 'string', text: '"v"' },
      { kind: 'punctuation', text: ',' },
      { kind: 'key', text: '"t"' },
      { kind: 'punctuation', text: ':' },
      { kind: 'literal', text: 'true' },
      { kind: 'punctuation', text: '}' },
    ]);
  });

  it('leaves anything that is not JSON raw', () => {
    for (const raw of ['', 'plain text', '{"a":', "{'a':1}", '<b>x</b>', 'NaN'])
      expect(prettyJson(raw)).toBeUndefined();
  });

  it('reproduces any JSON value it prints (seeded random values)', () => {
    const rng = new SeededRandom(11);
    const random = () => rng.next();
    const value = (depth: number): unknown => {
      const pick = Math.floor(random() * (depth > 3 ? 4 : 6));
      if (pick === 0) return Math.floor(random() * 1e6) / 100;
      if (pick === 1) return ['', 'x', '"q"', '\\', '\n', 'é😀', '</script>'][Math.floor(random() * 7)];
      if (pick === 2) return [true, false, null][Math.floor(random() * 3)];
      if (pick === 3) return -Math.floor(random() * 100);
      if (pick === 4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`k${i}`, value(depth + 1)]),
      );
    };
    for (let i = 0; i < 200; i++) {
      const json = JSON.stringify(value(0));
      expect(JSON.parse(text(json)!)).toEqual(JSON.parse(json));
    }
  });
});
