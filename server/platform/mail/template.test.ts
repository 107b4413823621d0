import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, parseTemplate, renderTemplate, templateVariables } from './template';

const data = {
  contact: {
    firstName: 'Ada',
    lastName: '<script>alert(1)</script>',
    tags: ['vip', 'beta'],
    score: 42,
    address: { city: 'London' },
  },
  workspace: { name: 'Acme & Co' },
};

describe('mail templates', () => {
  it('fills variables, with defaults for missing or empty values', () => {
    expect(renderTemplate('Hi {{contact.firstName}}, from {{ workspace.name }}', data, 'text')).toBe(
      'Hi Ada, from Acme & Co',
    );
    expect(renderTemplate('Hi {{ contact.nickname | default: "there" }}!', data, 'text')).toBe('Hi there!');
    expect(renderTemplate('{{ contact.firstName | default: "there" }}', data, 'text')).toBe('Ada');
    expect(renderTemplate('{{contact.missing.deep}}|{{contact.address.city}}', data, 'text')).toBe('|London');
    expect(renderTemplate('{{contact.tags}} {{contact.score}}', data, 'text')).toBe('vip, beta 42');
    expect(renderTemplate('{{contact.address}}', data, 'text')).toBe('');
    expect(renderTemplate('{{ x | default: "say \\"hi\\"" }}', data, 'text')).toBe('say "hi"');
  });

  it('escapes values in HTML but keeps the template’s markup, and never reads prototype properties', () => {
    expect(renderTemplate('<p>{{contact.lastName}}</p>', data, 'html')).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
    expect(renderTemplate('<b>{{ workspace.name }}</b>', data, 'html')).toBe('<b>Acme &amp; Co</b>');
    expect(renderTemplate('{{ x | default: "<i>" }}', data, 'html')).toBe('&lt;i&gt;');
    expect(renderTemplate('{{contact.constructor}}{{contact.__proto__}}{{toString}}', data, 'text')).toBe('');
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = renderTemplate('{{v}}', { v: s }, 'html');
        expect(out).not.toMatch(/[<>"']/);
        expect(out).toBe(escapeHtml(s));
      }),
    );
  });

  it('reports syntax problems with their position, and runs no code', () => {
    expect(parseTemplate('Hi {{ contact.firstName')).toEqual({
      problem: { message: 'a "{{" is never closed with "}}"', at: 3 },
    });
    expect(parseTemplate('{{ contact.firstName() }}')).toMatchObject({ problem: { at: 0 } });
    expect(parseTemplate('{{ 1 + 1 }}')).toMatchObject({
      problem: { message: expect.stringContaining('not a variable') },
    });
    expect(parseTemplate('{{ a | upcase }}')).toMatchObject({
      problem: { message: expect.stringContaining('unknown filter') },
    });
    expect(parseTemplate('{{ a | default: "x" | default: "y" }}')).toMatchObject({ problem: {} });
    expect(templateVariables('{{a.b}} {{ c }} {{a.b}}')).toEqual(['a.b', 'c']);
  });
});
