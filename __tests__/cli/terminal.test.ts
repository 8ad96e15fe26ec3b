import { colourPlanText } from '../../src/cli/terminal.js'
import { planTextLines, renderPlanText } from '../../src/report/markdown.js'
import { add, appPlan, note, outcomeOf, plan, remove } from '../../test-support/plan-factory.js'

const RED = '\u001b[31m'
const GREEN = '\u001b[32m'
const YELLOW = '\u001b[33m'
/** An SGR colour code, built from its text so the pattern holds no control character literally. */
const SGR = () => new RegExp(`${String.fromCharCode(27)}\\[(\\d+)m`, 'g')
/** The colour a line starts with, and the colours within it. */
const colourOf = (text: string, needle: string): string[] => {
  const l = text.split('\n').find(x => x.includes(needle)) ?? ''
  return [...l.matchAll(SGR())].map(m => m[1] ?? '').filter(c => c !== '0')
}

describe('the plan text on a terminal: colours from the plan, not from its words', () => {
  const p = plan(
    [
      appPlan(
        [
          add('ok.example.com', { result: { status: 'done' } }),
          add('broken.example.com', { result: { status: 'failed', error: 'HTTP 422' } }),
          add('moved.example.com', {
            result: { status: 'done' },
            dns: [{ name: 'moved.example.com', verdict: 'elsewhere', addresses: ['198.51.100.7'] }]
          }),
          remove('old.example.com', { result: { status: 'done' } })
        ],
        { notes: [note('error-pages.example.com', 'unmanaged', 'live on RunCloud but not in the manifest')] }
      )
    ],
    { mode: 'apply' }
  )
  const lines = planTextLines(p, outcomeOf(p))
  const text = colourPlanText(lines)

  it('adds green, a failed add red, removals red, a DNS cell that points elsewhere yellow', () => {
    expect(colourOf(text, 'ok.example.com')).toEqual(['32'])
    expect(colourOf(text, 'broken.example.com')).toEqual(['31'])
    expect(colourOf(text, 'moved.example.com')).toEqual(['32', '33'])
    expect(colourOf(text, 'old.example.com')).toEqual(['31'])
    expect(text).toContain(`${GREEN}    + add moved.example.com`)
    expect(text).toContain(`${YELLOW} · DNS ⚠️ points elsewhere`)
  })

  it('a name that happens to contain "error" is not a problem; totals with a failure are', () => {
    expect(colourOf(text, 'error-pages.example.com')).toEqual([])
    expect(text.split('\n').at(-1)?.startsWith(RED)).toBe(true)
  })

  it('without colour the parts make the same text as the log', () => {
    expect(lines.map(l => l.map(x => x.text).join('')).join('\n')).toBe(renderPlanText(p, outcomeOf(p)))
    expect(text.replace(SGR(), '')).toBe(renderPlanText(p, outcomeOf(p)))
  })
})
