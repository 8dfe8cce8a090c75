import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { nulIssue, nulPath, withoutNul } from '../../protocol/nul.ts';

const jsonWithNul = fc.jsonValue().chain((value) =>
  fc.tuple(fc.constant(value), fc.string(), fc.string()).map(([v, a, b]) => ({ value: v, planted: { deep: [v, `${a}\u0000${b}`] } })),
);

describe('NUL in text (protocol/nul.ts)', () => {
  test.prop([fc.jsonValue()])('withoutNul leaves no NUL anywhere, and changes nothing that had none', (value) => {
    const clean = withoutNul(value);
    expect(nulPath(clean)).toBeNull();
    if (nulPath(value) === null) expect(clean).toEqual(value);
  });

  test.prop([jsonWithNul])('a planted NUL is always found, at a path that leads to a string holding it', ({ planted }) => {
    const path = nulPath(planted);
    expect(path).not.toBeNull();
    let at: unknown = planted;
    for (const step of path!) at = (at as Record<string | number, unknown>)[step];
    expect(typeof at === 'string' ? at.includes('\u0000') : path!.some((p) => String(p).includes('\u0000'))).toBe(true);
  });

  it('names the field the way zod issues are named', () => {
    expect(nulIssue({ name: 'message.send', args: { body: 'a\u0000b' } })).toBe('args.body: text may not contain the NUL character (U+0000)');
    expect(nulIssue('\u0000')).toBe('value: text may not contain the NUL character (U+0000)');
    expect(nulIssue({ fine: ['yes'] })).toBeNull();
  });
});
