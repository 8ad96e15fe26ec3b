import fc from 'fast-check'
import type { AppPlan, Change, Plan } from '../../src/plan/model.js'
import { OFFLINE_WARNING } from '../../src/plan/model.js'
import { renderMarkdown, renderPlanText } from '../../src/report/markdown.js'
import {
  add,
  appPlan,
  liveDomain,
  note,
  plan,
  remove,
  update,
  outcomeOf
} from '../../test-support/plan-factory.js'

const MIB = 1024 * 1024
const SUMMARY = MIB - 16 * 1024
const COMMENT = 65_536

/** Table lines of a document; in ours every cell separator is a bare `|` (values escape theirs). */
const tableLines = (md: string): string[] => md.split('\n').filter(l => l.startsWith('|'))
const cells = (row: string): number => row.split('|').length - 2

describe('renderMarkdown: content', () => {
  it('heading with mode and manifest, base → head, a row per change, unicode beside ASCII, SSL, counts', () => {
    const p = plan(
      [
        appPlan(
          [add('xn--bcher-kva.example', { unicode: 'bücher.example' }), update('u.com'), remove('old.com')],
          {
            label: 'main network',
            ssl: { policy: 'redeploy', wanted: true, why: 'domains added to the app' }
          }
        )
      ],
      { base: { description: 'abc1234 (base)' }, head: { description: 'def5678 (head)' } }
    )
    const md = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY })
    expect(md).toMatch(/^## RunCloud domains — plan$/m)
    expect(md).toContain('**Manifest** `domains.yml` · **Base** abc1234 (base) → **Head** def5678 (head)')
    expect(md).toContain('### "main network" (server 1 / app 2)')
    expect(md).toContain(
      '| bücher.example (`xn--bcher-kva.example`) | ➕ add | new in this change | planned |'
    )
    expect(md).toContain(
      '| `u.com` | ✏️ update | settings differ: www on → off, redirect non-www → none | planned |'
    )
    expect(md).toContain('| `old.com` | ➖ remove | removed from the manifest | planned |')
    expect(md).toContain('🔐 SSL: certificate redeploy planned (domains added to the app)')
    expect(md).toContain('**Totals:** 1 to add · 1 to update · 1 to remove')
  })

  it('after apply: each result, the SSL result, and counts of what happened', () => {
    const p = plan(
      [
        appPlan(
          [
            add('a.com', { result: { status: 'done' } }),
            add('b.com', { result: { status: 'noop' } }),
            remove('c.com', { result: { status: 'noop' } }),
            remove('d.com', { result: { status: 'failed', error: 'HTTP 500: server error' } }),
            update('e.com', { result: { status: 'skipped', error: 'the app was not resolved' } })
          ],
          {
            ssl: {
              policy: 'redeploy',
              wanted: true,
              why: 'domains added',
              result: { status: 'failed', detail: 'domains were changed; only the certificate failed' }
            }
          }
        )
      ],
      { mode: 'apply' }
    )
    const md = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY })
    expect(md).toMatch(/^## RunCloud domains — apply$/m)
    expect(md).toContain('| `a.com` | ➕ add | new in this change | ✅ done |')
    expect(md).toContain('| `b.com` | ➕ add | new in this change | ✅ already so |')
    expect(md).toContain('| `c.com` | ➖ remove | removed from the manifest | ✅ already gone |')
    expect(md).toContain('❌ failed: HTTP 500: server error |')
    expect(md).toContain('⏭️ skipped: the app was not resolved |')
    expect(md).toContain('🔐 SSL: ❌ failed — domains were changed; only the certificate failed')
    expect(md).toContain('**Totals:** 1 added · 0 updated · 0 removed · 2 failed · 2 already so · 1 skipped')
  })

  it('an apply refused before any write says the changes were not applied', () => {
    const md = renderMarkdown(plan([appPlan([remove('r.com')])], { mode: 'apply' }), undefined, {
      maxChars: SUMMARY,
      error: 'Nothing was written. If this is intended, run again with force: true.'
    })
    expect(md).toContain('| `r.com` | ➖ remove | removed from the manifest | not applied |')
    expect(md).toContain('> [!CAUTION]\n> Nothing was written.')
    expect(md).toContain('1 to remove')
  })

  it('drift mode says drift, not planned', () => {
    const p = plan(
      [
        appPlan([add('m.com', { reason: 'missing' }), remove('s.com', { reason: 'unmanaged' })], {
          exclusive: true
        })
      ],
      { mode: 'drift' }
    )
    const md = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY })
    expect(md).toMatch(/^## RunCloud domains — drift check$/m)
    expect(md).toContain('| `s.com` | ➖ remove | unmanaged in an exclusive app | drift |')
    expect(md).toContain('**Totals:** 1 missing · 0 with other settings · 1 unmanaged')
    expect(md).not.toMatch(/planned/)
  })

  it('warnings: offline (even when the plan did not say it), legacy API, the unsafe verdict — each once', () => {
    const legacy = 'Using the legacy RunCloud API v2: RunCloud has discontinued v2.'
    const unsafe = 'server 1 / app 2: removes 8 of 13 domains (61.5%), above 30%.'
    const p = plan(
      [
        appPlan([remove('r.com')], {
          live: 'offline',
          safety: { unsafe: true, removals: 8, total: 13, percent: 61.538, message: unsafe }
        })
      ],
      { offline: true, warnings: [legacy, unsafe] }
    )
    const md = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY })
    const block = md.slice(md.indexOf('> [!WARNING]'))
    expect(block).toMatch(/this plan is offline/)
    expect(block).toContain(legacy)
    expect(md.split(unsafe).length - 1).toBe(1)
    expect(md).toContain('> ⚠️ Unsafe: removes 8 of 13 domains (61.5%).')
    expect(md).toContain('offline: live state not read')
    // The offline note comes from plan.offline, once, even if a warning already carries it.
    const own = renderMarkdown({ ...p, warnings: [OFFLINE_WARNING] }, undefined, { maxChars: SUMMARY })
    expect(own.match(/is offline/g)).toHaveLength(1)
    const online = renderMarkdown({ ...p, offline: false }, undefined, { maxChars: SUMMARY })
    expect(online).not.toMatch(/is offline/)
  })

  it('notes for information, resolved ids of named apps, app errors', () => {
    const p = plan([
      appPlan([add('a.com')], {
        server: 'web-1',
        app: 'shop',
        serverId: 11667,
        appId: 940288,
        liveCount: 3,
        notes: [
          note('stray.com', 'unmanaged', 'live but not in the manifest (listed for information)'),
          note('main.com', 'primary-kept', 'the primary domain is never removed'),
          note('x.staging.example.com', 'ignored', 'matches an ignore glob')
        ],
        errors: ['could not list the domains: HTTP 503']
      })
    ])
    const md = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY })
    expect(md).toContain('### server web-1 / app shop')
    expect(md).toContain('<sub>3 live domains · ids 11667 / 940288</sub>')
    expect(md).toContain('- ℹ️ `stray.com`: live but not in the manifest (listed for information)')
    expect(md).toContain('- 🔒 `main.com`: the primary domain is never removed')
    expect(md).toContain('- 🙈 `x.staging.example.com`: matches an ignore glob')
    expect(md).toContain('> ❌ could not list the domains: HTTP 503')
  })

  it('an app whose live state could not be read shows no live count (not "0 live domains")', () => {
    const failed = appPlan([], {
      server: 'web-1',
      app: 'shop',
      liveCount: undefined,
      errors: ['RunCloud refused the API token (HTTP 401).']
    })
    const md = renderMarkdown(plan([failed]), undefined, { maxChars: SUMMARY })
    expect(md).not.toMatch(/live domain/)
    expect(md).toContain('> ❌ RunCloud refused the API token (HTTP 401).')
    const text = renderPlanText(plan([failed]))
    expect(text).toMatch(/^ {2}server web-1 \/ app shop$/m)
    expect(text).not.toMatch(/live/)
  })

  it('apps with no changes collapse into one line', () => {
    const quiet = Array.from({ length: 60 }, (_, i) =>
      appPlan([], { key: `1/${i}`, app: i, live: 'untouched' })
    )
    const md = renderMarkdown(plan([appPlan([add('a.com')], { app: 999 }), ...quiet]), undefined, {
      maxChars: SUMMARY
    })
    expect(md).toMatch(/^No changes in: server 1 \/ app 0, server 1 \/ app 1, .*, and 10 more\.$/m)
    expect(md.match(/^### /gm)).toHaveLength(1)
  })

  it('manifest problems as a table, and the error shown prominently', () => {
    const md = renderMarkdown(plan([]), undefined, {
      maxChars: SUMMARY,
      error: 'domains.yml is invalid: 2 problems (see the annotations).',
      problems: [
        { file: 'domains.yml', line: 3, col: 5, message: "unknown key 'domian' (did you mean 'domains'?)" },
        { file: 'my_domains.yml', line: 10, col: 1, message: 'duplicate key <apps>' }
      ]
    })
    expect(md).toContain("| `domains.yml:3:5` | unknown key 'domian' (did you mean 'domains'?) |")
    // Inside a code span an entity would show as typed: the underscore stays an underscore there.
    expect(md).toContain('| `my_domains.yml:10:1` | duplicate key &lt;apps&gt; |')
    expect(md.indexOf('[!CAUTION]')).toBeLessThan(md.indexOf('### Manifest problems'))
    expect(md).not.toContain('declares no apps')
  })

  it('never shows the live objects’ internals', () => {
    const p = plan([
      appPlan([
        update('u.com', { live: liveDomain('u.com') }),
        remove('r.com', { live: liveDomain('r.com') })
      ])
    ])
    const md = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY })
    expect(md).toContain('`r.com`')
    expect(md).not.toMatch(/created_at|webApplication_id|2024-01-02/)
    expect(renderPlanText(p, outcomeOf(p))).not.toMatch(/created_at|2024-01-02/)
  })

  it('links the run only when the address is a plain web address', () => {
    const url = 'https://github.com/o/r/actions/runs/1'
    expect(renderMarkdown(plan([]), undefined, { maxChars: SUMMARY, runUrl: url })).toContain(
      `[Run log](${url})`
    )
    expect(
      renderMarkdown(plan([]), undefined, { maxChars: SUMMARY, runUrl: 'javascript:alert(1)' })
    ).not.toContain('Run log')
    expect(
      renderMarkdown(plan([]), undefined, { maxChars: SUMMARY, runUrl: 'https://x/) [y](https://evil' })
    ).not.toContain('Run log')
  })
})

describe('renderMarkdown: escaping', () => {
  const hostile =
    '</details><script>alert(1)</script> a|b `code` @team [x](https://evil) **b** _i_ ~~s~~\n# h'

  it('labels, server/app names, error texts, warnings and the error cannot inject markup', () => {
    const p = plan(
      [
        appPlan(
          [
            add('a.com', { result: { status: 'failed', error: hostile } }),
            remove('b.com', { result: { status: 'skipped', error: hostile } })
          ],
          {
            label: hostile,
            server: hostile,
            app: 'a|b',
            errors: [hostile],
            notes: [note('c.com', 'unmanaged', hostile)]
          }
        ),
        appPlan([], { key: 'q', label: hostile, live: 'untouched' })
      ],
      { mode: 'apply', warnings: [hostile], base: { description: hostile }, head: { description: hostile } }
    )
    const md = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY, error: hostile, title: hostile })
    // No HTML but the renderer's own <sub>.
    expect(md.replace(/<\/?sub>/g, '')).not.toMatch(/<\/?[a-z]/i)
    expect(md).not.toMatch(/@team|\[x\]\(|`code`|\*\*b\*\*|_i_|~~s~~/)
    // The newline in the error keeps its line, but `# h` on it is no heading.
    expect(md).not.toMatch(/^(> )?# h/m)
    // Every table row keeps its four cells: no value added a `|`.
    const rows = tableLines(md)
    expect(rows.length).toBeGreaterThanOrEqual(4)
    for (const row of rows) expect(cells(row)).toBe(4)
    // The text itself is still there, as entities.
    expect(md).toContain('&lt;/details&gt;&lt;script&gt;')
    expect(md).toContain('a&#124;b')
  })

  it('no @-mention or #-reference once the entities are decoded, as GitHub decodes them before it links those', () => {
    const text = 'ping @acme/ops and @octocat about #12, acme/sites#3 and GH-4'
    const p = plan(
      [appPlan([add('a.com', { result: { status: 'failed', error: text } })], { label: text })],
      {
        mode: 'apply',
        warnings: [text]
      }
    )
    const md = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY, error: text })
    const decoded = md
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
    expect(decoded).toContain('ping @\u200bacme/ops')
    expect(decoded).not.toMatch(/@[A-Za-z0-9]|#\d/)
  })

  it('a live domain name from the API that is not a plain name is escaped, not put in a code span', () => {
    const p = plan([appPlan([remove('x`|<b>.com', { reason: 'unmanaged' })])], { mode: 'drift' })
    const md = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY })
    expect(md).toContain('| x&#96;&#124;&lt;b&gt;.com | ➖ remove |')
    for (const row of tableLines(md)) expect(cells(row)).toBe(4)
  })
})

describe('renderMarkdown: size', () => {
  const arbHostile = fc.constantFrom('', 'main', '</details><script>', 'a|b', 'bücher 📦', '`x`\n@y')
  const arbChange = (a: number, i: number): fc.Arbitrary<Change> =>
    fc
      .record({
        kind: fc.constantFrom('add', 'update', 'remove', 'idn'),
        result: fc.option(fc.constantFrom('done', 'noop', 'failed', 'skipped'), { nil: undefined }),
        error: arbHostile
      })
      .map(({ kind, result, error }) => {
        const name = `d${i}.app${a}.example.com`
        const c =
          kind === 'update'
            ? update(name)
            : kind === 'remove'
              ? remove(name)
              : kind === 'idn'
                ? add(`xn--bcher-kva${i}.app${a}.example`, { unicode: `bücher${i}.app${a}.example` })
                : add(name)
        return result ? { ...c, result: { status: result, error } } : c
      })

  /** A plan of `apps` apps sharing `total` changes, with hostile labels, notes and results. */
  const arbPlan = fc
    .record({
      apps: fc.integer({ min: 1, max: 40 }),
      total: fc.integer({ min: 0, max: 20_000 }),
      label: arbHostile,
      notes: fc.integer({ min: 0, max: 200 }),
      sample: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 8 })
    })
    .chain(({ apps, total, label, notes, sample }) => {
      const per = Math.ceil(total / apps)
      // Generating 20,000 arbitrary changes is slow; a few generated ones are repeated instead.
      return fc.array(arbChange(0, 0), { minLength: sample.length, maxLength: sample.length }).map(shapes => {
        const list: AppPlan[] = Array.from({ length: apps }, (_, a) =>
          appPlan(
            Array.from({ length: Math.min(per, Math.max(0, total - a * per)) }, (_, i) => {
              const s = shapes[i % shapes.length]!
              return { ...s, domain: s.domain.replace('d0.app0', `d${i}.app${a}`) }
            }),
            {
              key: `1/${a}`,
              app: a,
              label: label || undefined,
              notes: Array.from({ length: a === 0 ? notes : 0 }, (_, i) =>
                note(`n${i}.example.com`, 'unmanaged', label)
              )
            }
          )
        )
        return plan(list, {
          mode: shapes.some(s => 'result' in s) ? 'apply' : 'plan',
          warnings: label ? [label] : []
        })
      })
    })

  it('stays within maxChars bytes with well-formed tables, and says when rows were left out (property)', () => {
    fc.assert(
      fc.property(arbPlan, fc.constantFrom(SUMMARY, COMMENT - 1_000, 5_000), (p: Plan, maxChars) => {
        const md = renderMarkdown(p, outcomeOf(p), { maxChars })
        expect(Buffer.byteLength(md, 'utf8')).toBeLessThanOrEqual(maxChars)
        for (const line of tableLines(md)) {
          expect(line.endsWith('|')).toBe(true)
          expect(cells(line)).toBe(4)
        }
        // No element left open: every <sub> closed on its line, no stray backtick pairs split.
        for (const line of md.split('\n')) {
          expect(line.split('<sub>').length).toBe(line.split('</sub>').length)
          expect((line.match(/`/g) ?? []).length % 2).toBe(0)
        }
        // Each app's table keeps its header: a row is never shown without its table.
        const headers = md.split('\n').filter(l => l === '| domain | change | reason | result |').length
        const seps = md.split('\n').filter(l => l === '| --- | --- | --- | --- |').length
        expect(seps).toBe(headers)
        const shownRows = tableLines(md).length - 2 * headers
        const allRows = p.apps.reduce((n, a) => n + a.changes.length, 0)
        if (shownRows < allRows) expect(md).toMatch(/more rows? not shown|more apps not shown|truncated/)
        expect(md).toContain('**Totals:**')
      }),
      { numRuns: 30 }
    )
  })

  it('20,000 changes in one app: the summary fits 1 MiB and the comment 65,536, rows cut whole', () => {
    const p = plan([
      appPlan(
        Array.from({ length: 20_000 }, (_, i) => add(`domain-${i}.example.com`)),
        { label: 'big' }
      )
    ])
    const summary = renderMarkdown(p, outcomeOf(p), { maxChars: SUMMARY })
    const comment = renderMarkdown(p, outcomeOf(p), { maxChars: COMMENT })
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY)
    expect(comment.length).toBeLessThanOrEqual(COMMENT)
    const hidden = Number(/… (\d+) more rows not shown; see the `plan` output \/ job log/.exec(comment)?.[1])
    expect(hidden + tableLines(comment).length - 2).toBe(20_000)
    expect(summary).toContain('**Totals:** 20000 to add · 0 to update · 0 to remove')
    // The summary has room for many more rows than the comment.
    expect(tableLines(summary).length).toBeGreaterThan(5 * tableLines(comment).length)
  })

  it('a small plan is not truncated', () => {
    const md = renderMarkdown(plan([appPlan([add('a.com'), add('b.com')])]), undefined, { maxChars: COMMENT })
    expect(md).not.toMatch(/not shown|truncated/)
  })
})

describe('renderPlanText', () => {
  it('one line per change with its sign, settings and reason; results after apply; totals', () => {
    const p = plan(
      [
        appPlan(
          [
            add('a.com', { result: { status: 'done' } }),
            add('xn--bcher-kva.example', { unicode: 'bücher.example', result: { status: 'noop' } }),
            update('u.com'),
            remove('r.com', { result: { status: 'failed', error: 'HTTP 500' } })
          ],
          { label: 'main' }
        ),
        appPlan([], { key: 'q', app: 3, live: 'untouched' })
      ],
      { mode: 'apply' }
    )
    const text = renderPlanText(p, outcomeOf(p))
    expect(text).toMatch(/^ {2}"main" \(server 1 \/ app 2\)/m)
    expect(text).toMatch(/^ {4}\+ add a\.com \(new in this change\) … done$/m)
    expect(text).toMatch(
      /^ {4}\+ add xn--bcher-kva\.example \(bücher\.example\) \(new in this change\) … noop$/m
    )
    expect(text).toMatch(/^ {4}~ update u\.com: www on → off, redirect non-www → none \(settings differ\)$/m)
    expect(text).toMatch(/^ {4}- remove r\.com \(removed from the manifest\) … failed: HTTP 500$/m)
    expect(text).toMatch(/^ {2}no changes: server 1 \/ app 3$/m)
    expect(text).toMatch(/^totals: 1 added, 0 updated, 0 removed, 1 failed, 1 already so, 1 not reached$/m)
  })

  it('a drift run lists the apps without differences as "no drift"', () => {
    const text = renderPlanText(plan([appPlan([], { live: 'read', liveCount: 3 })], { mode: 'drift' }))
    expect(text).toMatch(/^ {2}no drift: server 1 \/ app 2$/m)
  })

  it('free text cannot start a line of its own (a workflow command) or carry terminal escapes', () => {
    const evil = 'x\n::error::forged\r\u001b[31mred\u202e'
    const text = renderPlanText(
      plan(
        [
          appPlan([add('a.com', { result: { status: 'failed', error: evil } })], {
            label: evil,
            errors: [evil]
          })
        ],
        {
          mode: 'apply'
        }
      )
    )
    expect(text).not.toMatch(/^::/m)
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u001b\r\u202e]/)
    expect(text).toContain('::error::forged')
  })
})
