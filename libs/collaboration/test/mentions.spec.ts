import { parseMentions, withoutCode, MAX_MENTIONS_PER_TEXT } from '../src';

describe('parseMentions', () => {
  it.each([
    ['@alice', ['alice']],
    ['hi @Alice and @BOB', ['alice', 'bob']],
    ['@alice @alice @ALICE', ['alice']],
    ['@a', ['a']],
    ['@mary-jane', ['mary-jane']],
    ['@a1-b2-c3', ['a1-b2-c3']],
    [`@${'x'.repeat(39)}`, ['x'.repeat(39)]],
    [
      '(@alice), @bob. @carol! @dave? @erin: @frank; "@gina"',
      ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina'],
    ],
    ['@alice-', ['alice']],
    ['@alice\n@bob', ['alice', 'bob']],
    ['> quoted @alice', ['alice']],
  ])('finds the users mentioned in %j', (text, expected) => {
    expect(parseMentions(text)).toEqual(expected);
  });

  it.each([
    ['e-mail addresses', 'write to a@b.com or alice.smith@example.org'],
    ['too long names', `@${'x'.repeat(40)}`],
    ['a leading hyphen', '@-alice'],
    ['double hyphens', '@alice--bob'],
    ['underscores (not allowed in usernames)', '@alice_bob'],
    ['non-ASCII letters', '@zoë'],
    ['paths and handles glued to a word', 'https://example.com/@alice foo@@bob x.@carol'],
    ['a lone at sign', 'meet @ noon'],
    ['inline code', 'run `npm i @alice` or ``@bob``'],
    ['fenced code blocks', '```\n@alice\n```\n~~~ts\n@bob\n~~~'],
    ['indented code blocks', 'text\n\n    @alice\n    @bob'],
  ])('ignores %s', (_what, text) => {
    expect(parseMentions(text)).toEqual([]);
  });

  it('keeps mentions around code', () => {
    expect(parseMentions('@alice `@ignored` @bob\n```\n@ignored\n```\n@carol')).toEqual(['alice', 'bob', 'carol']);
    expect(parseMentions('paragraph\n    @notcode because no blank line precedes')).toEqual(['notcode']);
  });

  it(`stops at ${MAX_MENTIONS_PER_TEXT} distinct users`, () => {
    const text = Array.from({ length: 60 }, (_, i) => `@user${i}`).join(' ');
    expect(parseMentions(text)).toHaveLength(MAX_MENTIONS_PER_TEXT);
  });

  it('blanks code without moving the rest of the text', () => {
    const text = 'a `b` c\n```\nd\n```\ne';
    expect(withoutCode(text).split('\n')).toHaveLength(text.split('\n').length);
    expect(withoutCode(text)).toMatch(/^a {5}c\n\n\n\ne$/);
  });
});
