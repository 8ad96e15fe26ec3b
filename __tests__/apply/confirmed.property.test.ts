/**
 * Property: whatever RunCloud answers to each write — any status, body and headers, with the write
 * carried out or not — the action never lists in `added`, `removed` or `updated` a change that
 * RunCloud's state does not hold afterwards. The engine and the real client run in-process against
 * the simulator; only the pauses of pacing and backoff are skipped (a virtual clock).
 * Excluded: a server that answers exactly what a carried-out write answers without carrying it
 * out (no client can tell that from success).
 */
import fc from 'fast-check'
import { execute } from '../../src/engine.js'
import { BufferLogger } from '../../src/logger.js'
import { computeOutputs } from '../../src/report/outputs.js'
import { appViews } from '../../src/plan/outcome.js'
import { createClient } from '../../src/runcloud/client.js'
import { readSettings } from '../../src/settings.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { manifest } from '../../test-support/manifest-text.js'
import { startSimulator, type Fault, type FaultRule } from '../../test-support/simulator/server.js'

const TOKEN = 'prop-token-1a2b3c'
const SID = 11
const AID = 22
const KEEP = ['keep.example.com']
const BASE = [...KEEP, 'old.example.com', { name: 'set.example.com', www: true }]
const HEAD = [...KEEP, 'new.example.com', { name: 'set.example.com', www: false }]

let repo: TempRepo
beforeAll(() => {
  repo = makeRepo([
    { 'domains.yml': manifest({ server: SID, app: AID, domains: BASE }) },
    { 'domains.yml': manifest({ server: SID, app: AID, domains: HEAD }) }
  ])
})
afterAll(() => repo.cleanup())

type Write = 'POST' | 'PATCH' | 'DELETE'
interface Answer {
  kind: 'status' | 'reset'
  status: number
  body: 'empty' | '{}' | 'message' | 'html' | 'other-object' | 'the-object' | 'list'
  header: 'none' | 'location' | 'retry-after-0' | 'retry-after-1'
  apply: boolean
}

const answer = fc.record<Answer>({
  kind: fc.constantFrom('status', 'status', 'status', 'reset'),
  status: fc.constantFrom(
    200,
    201,
    202,
    204,
    301,
    302,
    304,
    307,
    400,
    403,
    404,
    409,
    422,
    429,
    500,
    502,
    503,
    504
  ),
  body: fc.constantFrom('empty', '{}', 'message', 'html', 'other-object', 'the-object', 'list'),
  header: fc.constantFrom('none', 'location', 'retry-after-0', 'retry-after-1'),
  apply: fc.boolean()
})

/** What a carried-out write answers: the case no client can tell from success, if it was not carried out. */
function looksDone(method: Write, a: Answer): boolean {
  if (a.kind !== 'status' || (a.status !== 200 && a.status !== 201)) return false
  if (method === 'PATCH') return a.body === 'message' || a.body === 'the-object'
  return a.body === 'the-object'
}

function toFault(method: Write, a: Answer, ids: { set: number; old: number }): Fault {
  if (a.kind === 'reset') return a.apply ? 'applied-reset' : 'reset'
  const object = (id: number, name: string) =>
    JSON.stringify({ id, name, type: 'alias', www: method === 'PATCH' ? 0 : 1, redirection: 'non-www' })
  const body = {
    empty: '',
    '{}': '{}',
    message: '{"message":"Done."}',
    html: '<html><body>Login</body></html>',
    'other-object': object(999_999, 'other.example.com'),
    'the-object':
      method === 'POST'
        ? object(999_998, 'new.example.com')
        : method === 'PATCH'
          ? object(ids.set, 'set.example.com')
          : object(ids.old, 'old.example.com'),
    list: '{"data":[]}'
  }[a.body]
  const headers: Record<string, string> = {}
  if (a.header === 'location') headers.location = 'https://manage.runcloud.io/login'
  if (a.header === 'retry-after-0') headers['retry-after'] = '0'
  if (a.header === 'retry-after-1') headers['retry-after'] = '1'
  return {
    status: a.status,
    body,
    contentType: a.body === 'html' ? 'text/html' : 'application/json',
    headers,
    apply: a.apply
  }
}

const PATHS: Record<Write, RegExp> = {
  POST: /\/domains$/,
  PATCH: /\/domains\/\d+\/meta$/,
  DELETE: /\/domains\/\d+$/
}

it('never lists a change that RunCloud does not hold afterwards', async () => {
  const perWrite = fc.array(answer, { minLength: 1, maxLength: 3 })
  await fc.assert(
    fc.asyncProperty(
      fc.record({ POST: perWrite, PATCH: perWrite, DELETE: perWrite }),
      fc.constantFrom('auto', 'always', 'never'),
      async (answers, sslRedeploy) => {
        for (const method of ['POST', 'PATCH', 'DELETE'] as const)
          fc.pre(!answers[method].some(a => !a.apply && looksDone(method, a)))
        const sim = await startSimulator({ token: TOKEN })
        try {
          sim.addServer({ id: SID, name: 'web-1' })
          sim.addApp(SID, { id: AID, name: 'main', primary: 'main.example.com' })
          sim.seedDomains(SID, AID, [...KEEP, 'old.example.com', 'set.example.com'])
          const ids = {
            set: sim.domains(SID, AID).find(d => d.name === 'set.example.com')!.id,
            old: sim.domains(SID, AID).find(d => d.name === 'old.example.com')!.id
          }
          for (const method of ['POST', 'PATCH', 'DELETE'] as const)
            for (const a of answers[method]) {
              const rule: FaultRule = {
                method,
                path: PATHS[method],
                times: 1,
                fault: toFault(method, a, ids)
              }
              sim.inject(rule)
            }
          const settings = readSettings(
            n =>
              ({ 'api-url': sim.url, 'api-token': TOKEN, mode: 'apply', 'ssl-redeploy': sslRedeploy })[n] ??
              ''
          )
          let skipped = 0
          const result = await execute({
            settings,
            workspace: repo.dir,
            event: { eventName: 'push', payload: { before: repo.shas[0] } },
            createApi: () =>
              createClient({
                baseUrl: sim.url,
                token: TOKEN,
                concurrency: 2,
                timeoutMs: 2000,
                backoffMs: 1,
                sleep: ms => ((skipped += ms), new Promise<void>(r => setImmediate(r))),
                now: () => Date.now() + skipped
              }),
            log: new BufferLogger()
          })
          expect(result.plan).toBeDefined()
          const out = computeOutputs(result.plan!, result.outcome)
          const held = new Map(sim.domains(SID, AID).map(d => [d.name, d]))
          for (const n of JSON.parse(out.added ?? '[]') as string[]) expect(held.has(n)).toBe(true)
          for (const n of JSON.parse(out.removed ?? '[]') as string[]) expect(held.has(n)).toBe(false)
          for (const n of JSON.parse(out.updated ?? '[]') as string[]) expect(held.get(n)?.www).toBe(false)
          // And what it says failed or done adds up to the whole plan: nothing silently dropped.
          const listed = ['added', 'removed', 'updated'].flatMap(k => JSON.parse(out[k] ?? '[]') as string[])
          const failed = (JSON.parse(out.failed ?? '[]') as { domain: string }[]).map(f => f.domain)
          const noops = appViews(result.plan!, result.outcome).flatMap(a =>
            a.changes.filter(({ result: r }) => r?.status === 'noop').map(({ change }) => change.domain)
          )
          for (const c of result.plan!.apps.flatMap(a => a.changes))
            expect([...listed, ...failed, ...noops]).toContain(c.domain)
        } finally {
          await sim.close()
        }
      }
    ),
    { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) }
  )
})
