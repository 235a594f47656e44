// Strings for tokenizer oracle tests: unicode, emoji, code, whitespace runs, digits, empty.
import { mulberry32 } from '../../src/util/random';

const FIXED = [
  '',
  ' ',
  '  ',
  'a',
  'Hello world',
  'Hello, world!',
  ' leading space',
  'trailing space ',
  'two  spaces   three    four',
  '\n',
  'line one\nline two\n\nline four',
  '\ttabbed\tvalues\t',
  '0',
  '1234567890',
  '3.14159 2.71828 1e-6 -42',
  'The year 2024 had 366 days.',
  'naïve café résumé',
  'Straße Ärger Öl Übermut',
  'Привет, мир!',
  'Γειά σου Κόσμε',
  'שלום עולם',
  'مرحبا بالعالم',
  'नमस्ते दुनिया',
  '你好，世界',
  'こんにちは世界',
  '안녕하세요 세계',
  'ภาษาไทย',
  '🙂',
  '🙂🙃😀😃',
  '👍🏽 thumbs',
  '👨‍👩‍👧‍👦 family',
  '🇫🇷🇩🇪 flags',
  'emoji in the middle 🎉 of text',
  '∀x ∈ ℝ: x² ≥ 0',
  '→ ← ↑ ↓ ⇒ ⇔',
  '€100 £50 ¥1000 ₹20',
  '<s> not a control token </s>',
  '<0x41> literal',
  '▁ literal lower one eighth block',
  'def f(x):\n    return x * 2\n',
  'for (let i = 0; i < n; i++) { sum += a[i]; }',
  'SELECT * FROM users WHERE id = 42;',
  '#include <stdio.h>\nint main(void) { printf("hi\\n"); }',
  '<div class="x">&amp;</div>',
  '{"key": [1, 2, 3], "nested": {"a": null}}',
  'https://example.org/path?q=1&r=2',
  'user@example.com',
  'C:\\Windows\\System32',
  '    indented code',
  '\u00a0non-breaking\u00a0space',
  'zero\u200bwidth',
  'Ⅻ ⅻ ① ②',
  'ﬁ ligature',
  'A'.repeat(64),
  'ab'.repeat(40),
  '!!!???...,,,;;;',
  "it's don't won't y'all",
  '"quoted" «guillemets» „Anführung“',
  'Mixed CASE WoRdS',
  'ALLCAPSWORD',
  'camelCaseIdentifier snake_case_identifier kebab-case',
  '\r\nwindows newline',
];

const POOLS = [
  'abcdefghijklmnopqrstuvwxyz',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  '0123456789',
  ' ',
  '   ',
  '\n\t',
  '.,;:!?-()[]{}"\'/\\@#$%^&*+=<>_|~`',
  'éèêëàâäôöûüçñßø',
  'абвгдежзийклмнопрстуфхцчшщыэюя',
  '你好世界中文字符测试',
  'ひらがなカタカナ',
  '🙂🙃😀🎉👍🔥🚀✨',
];

function generated(n: number, seed: number): string[] {
  const r = mulberry32(seed);
  const words = [
    'the',
    'of',
    'and',
    'tokenizer',
    'parameter',
    'layer',
    'gradient',
    'model',
    'in',
    'is',
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    const parts = 1 + Math.floor(r() * 8);
    for (let p = 0; p < parts; p++) {
      if (r() < 0.4) s += (r() < 0.5 ? ' ' : '') + words[Math.floor(r() * words.length)];
      else {
        const pool = Array.from(POOLS[Math.floor(r() * POOLS.length)]);
        const len = 1 + Math.floor(r() * 6);
        for (let k = 0; k < len; k++) s += pool[Math.floor(r() * pool.length)];
      }
    }
    out.push(s);
  }
  return out;
}

export const TOKENIZER_STRINGS = [...FIXED, ...generated(200, 2024)];
