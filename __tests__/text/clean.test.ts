import { cleanDocument, cleanLines, excerpt, plain } from '../../src/text/clean.js'

const hostile =
  'a\u001b[31mred\u001b[0m \u001b]8;;https://evil\u0007link\u001b]8;;\u0007 \u202eevil\u202c \u2066x\u2069 \u0085\u009b2J\u0007\u0000z'

describe('clean text', () => {
  it('plain: no escape sequence, no bidi control, no C0/C1 control, one line', () => {
    const out = plain(`${hostile}\nsecond\rthird\u2028fourth`)
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028]/)
    expect(out).not.toContain('[31m')
    expect(out).toContain('red')
    expect(out).toContain('second third fourth')
  })
  it('cleanLines keeps line breaks, and a line that would be a workflow command is shown, not obeyed', () => {
    const out = cleanLines(`ok\n::set-output name=x::y\n  ::error::forged\n##[error]old\n${hostile}`)
    expect(out.split('\n')).toHaveLength(5)
    for (const line of out.split('\n')) expect(line).not.toMatch(/^\s*(::|##\[)/)
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
  })
  it('cleanDocument keeps the document’s lines and removes controls', () => {
    expect(cleanDocument('# a\r\n| b\u202e | c\u001b[2K |\n')).toBe('# a\n| b  | c  |\n')
  })
  it('excerpt scrubs, strips tags in linear time, folds and cuts', () => {
    expect(excerpt('<h1>Oops  tok-12345</h1>\n<p>bad</p>', ['tok-12345'])).toBe('Oops *** bad')
    const bomb = '<'.repeat(5_000_000)
    expect(excerpt(bomb, [], 10).length).toBeLessThanOrEqual(11)
  })
})
