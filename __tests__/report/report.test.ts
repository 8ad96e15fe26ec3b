import fc from 'fast-check'
import { Octokit } from '@octokit/rest'
import { commentMarker, upsertPlanComment } from '../../src/report/comment.js'
import { renderMarkdown, renderPlanText } from '../../src/report/markdown.js'
import { computeOutputs } from '../../src/report/outputs.js'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'
import { add, appPlan, plan, remove, update } from '../helpers/plan-factory.js'

const MIB = 1024 * 1024

describe('outputs', () => {
  it('plan mode: names to be added, removed, updated, and the plan as JSON', () => {
    const p = plan([
      appPlan([
        add('a.com'),
        add('xn--bcher-kva.example', { unicode: 'bücher.example' }),
        update('u.com'),
        remove('r.com', { live: { id: 9, name: 'r.com', type: 'alias', www: true, redirection: 'non-www' } })
      ])
    ])
    const out = computeOutputs(p)
    expect(Object.keys(out).sort()).toEqual(['added', 'failed', 'has-changes', 'plan', 'removed', 'updated'])
    expect(out['has-changes']).toBe('true')
    expect(JSON.parse(out.added!)).toEqual(['a.com', 'xn--bcher-kva.example'])
    expect(JSON.parse(out.updated!)).toEqual(['u.com'])
    expect(JSON.parse(out.removed!)).toEqual(['r.com'])
    const json = JSON.parse(out.plan!)
    expect(json.apps[0]).toMatchObject({
      server: 1,
      app: 2,
      changes: [
        { action: 'add', domain: 'a.com', reason: 'new' },
        {},
        {},
        { action: 'remove', domain: 'r.com' }
      ]
    })
    expect(out.plan).not.toContain('"live":{')
  })
  it('apply mode: only what was done; failures with domain, action and error; drift flag only in drift mode', () => {
    const p = plan(
      [
        appPlan([
          add('a.com', { result: { status: 'done' } }),
          add('b.com', { result: { status: 'failed', error: 'HTTP 422: invalid' } }),
          remove('c.com', { result: { status: 'noop' } })
        ])
      ],
      { mode: 'apply' }
    )
    const out = computeOutputs(p)
    expect(JSON.parse(out.added!)).toEqual(['a.com'])
    expect(JSON.parse(out.removed!)).toEqual([])
    expect(JSON.parse(out.failed!)).toEqual([{ domain: 'b.com', action: 'add', error: 'HTTP 422: invalid' }])
    expect(out.drift).toBeUndefined()
    expect(computeOutputs(plan([], { mode: 'drift' }), { drift: false }).drift).toBe('false')
  })
})

describe('markdown', () => {
  it('shows rows, unicode beside ascii, warnings, ssl and totals', () => {
    const p = plan(
      [
        appPlan([add('xn--bcher-kva.example', { unicode: 'bücher.example' }), remove('old.com')], {
          label: 'main network',
          ssl: { policy: 'redeploy', wanted: true, why: 'domains added to the app' }
        })
      ],
      {
        warnings: ['No RunCloud credentials: this plan is offline']
      }
    )
    const md = renderMarkdown(p, { maxChars: MIB })
    expect(md).toContain(
      '| bücher.example (`xn--bcher-kva.example`) | ➕ add | new in this change | planned |'
    )
    expect(md).toContain('> [!WARNING]')
    expect(md).toMatch(/SSL: certificate redeploy planned/)
    expect(md).toContain('**Totals:** 1 to add · 0 to update · 1 to remove')
    expect(md).toContain('"main network" (server 1 / app 2)')
  })
  it('escapes hostile labels and error texts', () => {
    const p = plan(
      [
        appPlan(
          [
            add('a.com', {
              result: { status: 'failed', error: 'bad | <script>alert(1)</script> `x` @admin' }
            })
          ],
          { label: '</details><script>x</script> a|b @team' }
        )
      ],
      { mode: 'apply' }
    )
    const md = renderMarkdown(p, { maxChars: MIB, error: 'line1\n<img src=x onerror=alert(1)>' })
    expect(md).not.toMatch(/<script>|<\/details>|<img/)
    expect(md).not.toContain('@admin')
    expect(md).not.toContain('@team')
    for (const line of md.split('\n').filter(l => l.startsWith('| `a.com`')))
      expect(line.split(/(?<!\\)\|/).length).toBe(6)
  })
  it('collapses apps with no change into one line', () => {
    const quiet = Array.from({ length: 5 }, (_, i) =>
      appPlan([], { key: `1/${i}`, app: i, live: 'untouched' })
    )
    const md = renderMarkdown(plan([appPlan([add('a.com')]), ...quiet]), { maxChars: MIB })
    expect(md).toMatch(/No changes in: server 1 \/ app 0, server 1 \/ app 1/)
    expect(md.match(/^### /gm)).toHaveLength(1)
  })
  it('stays under the limit for any plan size, with whole table rows (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.constantFrom(65_536, 20_000, 5_000),
        (apps, total, maxChars) => {
          const per = Math.ceil(total / apps)
          const p = plan(
            Array.from({ length: apps }, (_, a) =>
              appPlan(
                Array.from({ length: per }, (_, i) => add(`d${i}.app${a}.example.com`)),
                { key: `1/${a}`, app: a }
              )
            )
          )
          const md = renderMarkdown(p, { maxChars })
          expect(Buffer.byteLength(md)).toBeLessThanOrEqual(maxChars)
          for (const line of md.split('\n').filter(l => l.startsWith('|')))
            expect(line.endsWith('|')).toBe(true)
          if (total > 0 && Buffer.byteLength(renderMarkdown(p, { maxChars: 100 * MIB })) > maxChars)
            expect(md).toMatch(/not shown|truncated/)
        }
      ),
      { numRuns: 25 }
    )
  })
  it('renders problems of an invalid manifest as a table', () => {
    const md = renderMarkdown(plan([]), {
      maxChars: MIB,
      problems: [{ file: 'domains.yml', line: 3, col: 5, message: "unknown key 'domian'" }]
    })
    expect(md).toContain("| `domains.yml:3:5` | unknown key 'domian' |")
  })
})

describe('plain text', () => {
  it('one line per change with a sign, results after apply', () => {
    const text = renderPlanText(
      plan([appPlan([add('a.com', { result: { status: 'done' } }), update('u.com'), remove('r.com')])], {
        mode: 'apply'
      })
    )
    expect(text).toMatch(/^ {4}\+ add a\.com \(new in this change\) … done$/m)
    expect(text).toMatch(/^ {4}~ update u\.com: www on → off, redirect non-www → none/m)
    expect(text).toMatch(/^ {4}- remove r\.com/m)
  })
})

describe('PR comment', () => {
  let gh: FakeGitHub
  beforeEach(async () => (gh = await startFakeGitHub()))
  afterEach(() => gh.close())
  const octokit = () => new Octokit({ auth: 'x', baseUrl: gh.url })
  const log = { info: () => {}, warning: (m: string) => warnings.push(m) }
  let warnings: string[] = []

  it('creates once, then edits in place, finding its marker among more than 100 comments', async () => {
    warnings = []
    for (let i = 0; i < 130; i++) gh.comments.push({ id: 1000 + i, issue: 5, body: `chatter ${i}` })
    const args = { octokit: octokit(), owner: 'o', repo: 'r', issueNumber: 5, manifest: 'domains.yml', log }
    expect(await upsertPlanComment({ ...args, body: 'first' })).toBe('created')
    expect(await upsertPlanComment({ ...args, body: 'second' })).toBe('updated')
    const mine = gh.comments.filter(c => c.body.includes(commentMarker('domains.yml')))
    expect(mine).toHaveLength(1)
    expect(mine[0]?.body).toContain('second')
    expect(await upsertPlanComment({ ...args, manifest: 'other/domains.yml', body: 'x' })).toBe('created')
  })
  it('keeps the body under 65,536 characters', async () => {
    await upsertPlanComment({
      octokit: octokit(),
      owner: 'o',
      repo: 'r',
      issueNumber: 5,
      manifest: 'domains.yml',
      body: 'x\n'.repeat(50_000),
      log
    })
    expect(gh.comments[0]!.body.length).toBeLessThanOrEqual(65_536)
  })
  it('no permission is a warning naming it, not a failure', async () => {
    warnings = []
    gh.forbidComments = true
    expect(
      await upsertPlanComment({
        octokit: octokit(),
        owner: 'o',
        repo: 'r',
        issueNumber: 5,
        manifest: 'domains.yml',
        body: 'x',
        log
      })
    ).toBe('skipped')
    expect(warnings[0]).toMatch(/pull-requests: write/)
  })
})
