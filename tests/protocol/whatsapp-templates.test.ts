import { describe, expect, it } from 'vitest';
import { fillTemplate, templateParameterProblem, templateParameters, templateParts } from '../../protocol/whatsapp-templates.ts';

const ORDER = 'Hi {{1}}, your order {{2}} ships {{ 3 }}. Thanks, {{1}}!';

describe('WhatsApp template parameters', () => {
  it('counts numbered placeholders, repeated ones once, and tolerates spaces inside the braces', () => {
    expect(templateParameters(ORDER)).toEqual({ count: 3 });
    expect(templateParameters('No values here.')).toEqual({ count: 0 });
  });

  it('refuses bodies Meta would not accept from a positional send', () => {
    expect(templateParameters('Hi {{first_name}}')).toEqual({ problem: expect.stringMatching(/named parameter \{\{first_name\}\}/) });
    expect(templateParameters('Hi {{1}} and {{3}}')).toEqual({ problem: expect.stringMatching(/\{\{1\}\} to \{\{2\}\} with none missing/) });
    expect(templateParameters('Hi {{2}}')).toEqual({ problem: expect.stringMatching(/none missing/) });
    const many = Array.from({ length: 21 }, (_, i) => `{{${i + 1}}}`).join(' ');
    expect(templateParameters(many)).toEqual({ problem: expect.stringMatching(/21 parameters; at most 20/) });
  });

  it('fills each placeholder with its value, once, without re-reading placeholders inside values', () => {
    expect(fillTemplate(ORDER, ['Dana', '#4417', 'today'])).toBe('Hi Dana, your order #4417 ships today. Thanks, Dana!');
    expect(fillTemplate('Code {{1}} for {{2}}', ['{{2}}', 'Lee'])).toBe('Code {{2}} for Lee');
    expect(fillTemplate('No values here.', [])).toBe('No values here.');
  });

  it('says what is wrong with the values, naming the placeholder', () => {
    expect(templateParameterProblem(ORDER, ['Dana', '#4417', 'today'])).toBeNull();
    expect(templateParameterProblem(ORDER, ['Dana'])).toBe('This template needs 3 values ({{1}} to {{3}}); 1 given.');
    expect(templateParameterProblem('Hi {{1}}', [])).toBe('This template needs 1 value ({{1}}); 0 given.');
    expect(templateParameterProblem('Hello', ['extra'])).toBe('This template takes no values.');
    expect(templateParameterProblem(ORDER, ['Dana', '  ', 'today'])).toBe('Fill in {{2}}.');
    expect(templateParameterProblem(ORDER, ['Dana', 'a\nb', 'today'])).toMatch(/^\{\{2\}\} cannot hold line breaks/);
    expect(templateParameterProblem(ORDER, ['Dana', '#4417', 'to     day'])).toMatch(/more than four spaces/);
    expect(templateParameterProblem(ORDER, ['x'.repeat(1025), '#4417', 'today'])).toMatch(/^\{\{1\}\} is longer than 1024/);
    expect(templateParameterProblem('Hi {{name}}', ['Dana'])).toMatch(/^This template cannot be sent: it has a named parameter/);
  });

  it('cuts a body into text and placeholders for the preview', () => {
    expect(templateParts('Hi {{1}}, order {{2}}.')).toEqual([{ text: 'Hi ' }, { parameter: 1 }, { text: ', order ' }, { parameter: 2 }, { text: '.' }]);
    expect(templateParts('{{1}}')).toEqual([{ parameter: 1 }]);
    expect(templateParts('Plain')).toEqual([{ text: 'Plain' }]);
  });
});
