/** Keys and values that break naive log formats and parsers: separators, escapes, emoji, BOM, NUL. */
export const HOSTILE_STRINGS = [
  'tab\there',
  'new\nline',
  'crlf\r\n',
  '100%25 %s %d',
  '"double" \'single\' `back`',
  'back\\slash',
  'emoji 🗝️👩‍👩‍👧',
  '\uFEFFbom first',
  'nul\u0000inside',
  'ünïcødé ключ 鍵',
  ' leading and trailing ',
  'a/b/../c',
];
