/**
 * `schemaIssues` leaves plain-string domain entries out of zod's check: for any manifest value, its
 * issues are the full check's issues, at the same paths (the entries' places in the file).
 */
import fc from 'fast-check'
import { fullFormSchema, schemaIssues, shortFormSchema } from '../../src/manifest/schema.js'

/** What the parser reads of an issue: everything but the value it was about, and whether there was one. */
const comparable = (issues: readonly unknown[]) =>
  JSON.parse(
    JSON.stringify(issues, (k, v: unknown) => (k === 'input' ? (v === undefined ? 'missing' : 'given') : v))
  ) as unknown

const full = (root: Record<string, unknown>, short: boolean) => {
  const check = { reportInput: true, jitless: true }
  if (short) return shortFormSchema.safeParse(root, check).error?.issues ?? []
  const { domains: _both, ...rest } = root
  return fullFormSchema.safeParse(rest, check).error?.issues ?? []
}

const junk = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.string({ maxLength: 3 })
)
const entry = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('a.example.com', 'B.example.com', '', ' ', 'x') },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        name: fc.oneof(fc.constant('c.example.com'), junk),
        www: fc.oneof(fc.boolean(), junk),
        redirection: fc.oneof(fc.constantFrom('none', 'www', 'non-www', 'bogus'), junk),
        extra: junk
      },
      { requiredKeys: [] }
    )
  },
  { weight: 1, arbitrary: junk }
)
const domains = fc.oneof(
  { weight: 6, arbitrary: fc.array(entry, { maxLength: 8 }) },
  { weight: 1, arbitrary: junk }
)
const app = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        server: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom('web', '0', ' ')),
        app: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant('shop')),
        label: fc.oneof(fc.string({ maxLength: 3 }), junk),
        domains,
        extra: junk
      },
      { requiredKeys: ['domains'] }
    )
  },
  { weight: 1, arbitrary: junk }
)

describe('schemaIssues', () => {
  it('gives the full check’s issues for the full form, with the entries’ paths as in the file', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            apps: fc.oneof(
              { weight: 6, arbitrary: fc.array(app, { maxLength: 4 }) },
              { weight: 1, arbitrary: junk }
            ),
            version: fc.oneof(fc.constant(1), junk),
            domains: domains
          },
          { requiredKeys: [] }
        ),
        root => {
          const short = 'domains' in root && !('apps' in root)
          expect(comparable(schemaIssues(root, short))).toEqual(comparable(full(root, short)))
        }
      ),
      { numRuns: 500 }
    )
  })

  it('gives the full check’s issues for the short form', () => {
    fc.assert(
      fc.property(
        fc.record(
          { domains, defaults: fc.oneof(fc.constant({ www: false }), junk) },
          { requiredKeys: ['domains'] }
        ),
        root => {
          expect(comparable(schemaIssues(root, true))).toEqual(comparable(full(root, true)))
        }
      ),
      { numRuns: 300 }
    )
  })

  it('reports a bad entry among names at its own index', () => {
    const issues = schemaIssues(
      {
        apps: [
          { server: 1, app: 2, domains: ['a.example.com', 'b.example.com', 7, 'c.example.com', { name: 3 }] }
        ]
      },
      false
    )
    expect(issues.map(i => i.path)).toEqual([
      ['apps', 0, 'domains', 2],
      ['apps', 0, 'domains', 4]
    ])
  })
})
