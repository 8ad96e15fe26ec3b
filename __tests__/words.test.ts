/**
 * Each front door speaks its own words: every error path the action and the command line share is
 * run through the engine with each door's words, and no message of one door names the other's
 * settings (the action's inputs, `force: true`; the command line's flags and variables).
 */
import { CLI_WORDS } from '../src/cli/words.js'
import { execute } from '../src/engine.js'
import { BufferLogger } from '../src/logger.js'
import { clientFor } from '../src/runcloud/client-factory.js'
import { readSettings, SettingsError } from '../src/settings.js'
import { ACTION_WORDS, type Words } from '../src/words.js'
import { makeRepo, type TempRepo } from '../test-support/git-repo.js'
import { startSimulator, type Simulator } from '../test-support/simulator/server.js'
import { manifest as manifestText } from '../test-support/manifest-text.js'

/** Action inputs as a workflow names them, and the YAML switches. */
const ACTION_TERMS =
  /Input '|inputs? '|'(api-token|api-key|api-secret|server-id|app-id|manifest|base-ref|force|reconcile|concurrency)'|\b(force|reconcile): true|\bpass it as api-token|see the (summary|annotations)/
/** Command-line flags and the environment variables that carry credentials there. */
const CLI_TERMS =
  /(^|[\s('])--[a-z]|RUNCLOUD_API_KEY|RUNCLOUD_API_SECRET|Option '|set it as RUNCLOUD_API_TOKEN/

let sim: Simulator
let sid: number
let aid: number
const repos: TempRepo[] = []
beforeAll(async () => {
  sim = await startSimulator({ token: 'tk' })
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
  sim.seedDomains(
    sid,
    aid,
    Array.from({ length: 12 }, (_, i) => `d${i}.example.com`)
  )
})
afterAll(async () => {
  await sim.close()
  for (const r of repos) r.cleanup()
})

const full = (domains: string[]) => manifestText({ server: sid, app: aid, domains })

/** Every message a run with these words produced: step error, warnings, problems, log lines. */
async function messages(
  words: Words,
  commits: (string | null)[],
  inputs: Record<string, string>
): Promise<string[]> {
  const repo = makeRepo(commits.map(c => ({ 'domains.yml': c })))
  repos.push(repo)
  let settings
  try {
    settings = readSettings(n => ({ 'api-url': sim.url, ...inputs })[n] ?? '', undefined, words)
  } catch (e) {
    return (e as SettingsError).problems
  }
  const log = new BufferLogger()
  const result = await execute({
    settings,
    workspace: repo.dir,
    event: { eventName: 'push', payload: { before: repo.shas[repo.shas.length - 2] } },
    createApi: () => clientFor(settings, {}, { info: () => {}, warning: () => {} }, words),
    log,
    words
  })
  return [
    result.error ?? '',
    ...(result.plan?.warnings ?? []),
    ...result.problems.map(p => p.message),
    ...log.lines.map(l => l.message)
  ].filter(Boolean)
}

const all12 = Array.from({ length: 12 }, (_, i) => `d${i}.example.com`)

/** The shared error paths, each with what its message must say (so the path really ran). */
const PATHS: [string, () => (string | null)[], Record<string, string>, RegExp][] = [
  [
    'bad values',
    () => [full([])],
    { concurrency: '0', 'max-removal-percent': 'x', 'base-ref': '-x' },
    /whole number/
  ],
  ['apply without a token', () => [full([])], { mode: 'apply' }, /is required in apply mode/],
  ['key without secret', () => [full([])], { 'api-key': 'k' }, /go together/],
  [
    'credentials in the URL',
    () => [full([])],
    { 'api-url': 'https://u:p@example.com' },
    /must not carry credentials/
  ],
  ['plain http elsewhere', () => [full([])], { 'api-url': 'http://example.com' }, /plain http/],
  ['no manifest', () => [null, null], {}, /No manifest at domains\.yml/],
  ['short form without ids', () => [null, 'domains: [a.example.com]\n'], {}, /short-form manifest/],
  ['invalid manifest', () => [null, 'apps: [oops'], {}, /is invalid/],
  [
    'refused token',
    () => [full([]), full(['new.example.com'])],
    { 'api-token': 'wrong' },
    /refused the API token/
  ],
  [
    'legacy credentials',
    () => [full([]), full([])],
    { 'api-key': 'k', 'api-secret': 's' },
    /legacy RunCloud API v2/
  ],
  ['unsafe plan', () => [full(all12), full([])], { mode: 'apply', 'api-token': 'tk' }, /Unsafe plan/],
  ['drift', () => [full(['missing.example.com'])], { mode: 'drift', 'api-token': 'tk' }, /Drift found/]
]

describe.each([
  ['the command line', CLI_WORDS, ACTION_TERMS],
  ['the action', ACTION_WORDS, CLI_TERMS]
])('%s', (_door, words, foreign) => {
  it.each(PATHS)('%s: says it in its own words', async (_name, commits, inputs, says) => {
    const texts = await messages(words, commits(), inputs)
    expect(texts.join('\n')).toMatch(says)
    for (const t of texts) expect(t).not.toMatch(foreign)
  })
})

it('the two doors name the same setting differently', () => {
  expect(CLI_WORDS.turnOn('force')).toBe('--force')
  expect(ACTION_WORDS.turnOn('force')).toBe('force: true')
  expect(CLI_WORDS.subject('api-token')).toBe('RUNCLOUD_API_TOKEN')
  expect(CLI_WORDS.subject('base-ref')).toBe("Option '--base'")
  expect(ACTION_WORDS.subject('base-ref')).toBe("Input 'base-ref'")
})
