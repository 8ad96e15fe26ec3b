/**
 * The drift issue end to end: the bundled action on Node 24, in drift mode with drift-issue on,
 * against the RunCloud simulator and a fake GitHub API with issues. Nothing of the code under
 * test is stubbed.
 */
import { runAction, type ActionRun } from '../../test-support/action-runner.js'
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { manifest } from '../../test-support/manifest-text.js'
import { startSimulator, type Simulator } from '../../test-support/simulator/server.js'

const TOKEN = 'rc-drift-secret-token-7c41aa'
const GH_TOKEN = 'ghs_driftIssueSecretToken0123456789'
const TITLE = 'Domain drift in domains.yml'
const LABEL = 'runcloud-domains-drift'

let sim: Simulator
let gh: FakeGitHub
let repo: TempRepo
let sid: number
let aid: number

beforeEach(async () => {
  sim = await startSimulator({ token: TOKEN })
  gh = await startFakeGitHub()
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
  sim.seedDomains(sid, aid, ['a.example.com'])
  repo = makeRepo([
    { 'domains.yml': manifest({ server: sid, app: aid, domains: ['a.example.com', 'b.example.com'] }) }
  ])
})
afterEach(async () => {
  await sim.close()
  await gh.close()
  repo.cleanup()
})

async function drift(inputs: Record<string, string> = {}, runId = '1'): Promise<ActionRun> {
  const res = await runAction({
    workspace: repo.dir,
    eventName: 'schedule',
    githubApiUrl: gh.url,
    githubToken: GH_TOKEN,
    inputs: { mode: 'drift', 'api-token': TOKEN, 'api-url': sim.url, 'drift-issue': 'true', ...inputs },
    env: { GITHUB_RUN_ID: runId }
  })
  const emitted = [
    res.stdout.replace(/^::add-mask::.*$/gm, ''),
    res.summary,
    ...gh.issues.issues.map(i => i.body)
  ]
  for (const secret of [TOKEN, GH_TOKEN]) expect(emitted.join('\n')).not.toContain(secret)
  return res
}

const open = () => gh.issues.issues.filter(i => i.state === 'open')
const issueWrites = () =>
  gh.requests.filter(r => r.method !== 'GET' && /\/issues(\/\d+)?(\/comments)?$|\/labels$/.test(r.path))
const warnings = (r: ActionRun) => r.annotations.filter(a => a.level === 'warning').map(a => a.message)

describe('drift issue', () => {
  it('is created on the first drift, edited while it lasts (never duplicated), closed with a comment when none is found', async () => {
    // 1. Drift: b.example.com is missing. One issue, labelled, with the table and the run's link.
    const first = await drift({}, '101')
    expect(first.exitCode).toBe(1)
    expect(open()).toHaveLength(1)
    const issue = open()[0]!
    expect(issue.title).toBe(TITLE)
    expect(issue.labels).toEqual([LABEL])
    expect(issue.body).toMatch(/^<!-- runcloud-domains-action:drift-issue manifest=domains\.yml -->/)
    expect(issue.body).toMatch(/\| `b\.example\.com` \| ➕ add \| missing on RunCloud \|/)
    expect(issue.body).toContain('https://github.com/acme/sites/actions/runs/101')
    // The label was made with a colour and a description before the issue.
    expect(gh.issues.labels).toEqual([
      { name: LABEL, color: expect.stringMatching(/^[0-9a-f]{6}$/), description: expect.any(String) }
    ])
    expect(first.stdout).toMatch(new RegExp(`Opened drift issue #${issue.number}`))

    // Issues that look alike but are not this manifest's are never touched.
    gh.issues.issues.push(
      { number: 7, title: TITLE, body: 'copied by hand', state: 'open', labels: [LABEL], user: 'someone' },
      {
        number: 8,
        title: 'Domain drift in other.yml',
        body: '<!-- runcloud-domains-action:drift-issue manifest=other.yml -->',
        state: 'open',
        labels: [LABEL],
        user: 'github-actions[bot]'
      }
    )

    // 2. More drift: c.example.com missing too. The same issue is edited.
    writeManifest(['a.example.com', 'b.example.com', 'c.example.com'])
    const second = await drift({}, '102')
    expect(second.exitCode).toBe(1)
    expect(gh.issues.issues.filter(i => i.title === TITLE && i.user === 'github-actions[bot]')).toHaveLength(
      1
    )
    expect(issue.body).toMatch(/c\.example\.com/)
    expect(issue.body).toContain('actions/runs/102')
    expect(gh.issues.issues.find(i => i.number === 7)?.body).toBe('copied by hand')
    expect(gh.issues.issues.find(i => i.number === 8)?.body).not.toMatch(/c\.example\.com/)

    // 3. Fixed on RunCloud: the run finds none, comments and closes the issue.
    sim.seedDomains(sid, aid, ['b.example.com', 'c.example.com'])
    const third = await drift({}, '103')
    expect(third.exitCode).toBe(0)
    expect(issue.state).toBe('closed')
    expect(issue.state_reason).toBe('completed')
    const comments = gh.comments.filter(c => c.issue === issue.number)
    expect(comments).toHaveLength(1)
    expect(comments[0]?.body).toMatch(
      /No drift found in \[this run\]\(https:\/\/github\.com\/acme\/sites\/actions\/runs\/103\)/
    )

    // 4. Still none: nothing is written.
    const writes = issueWrites().length
    expect((await drift({}, '104')).exitCode).toBe(0)
    expect(issueWrites()).toHaveLength(writes)

    // 5. Drift again: a new issue for the new episode.
    sim.state.app(sid, aid)!.domains = sim.state
      .app(sid, aid)!
      .domains.filter(d => d.name !== 'c.example.com')
    expect((await drift({}, '105')).exitCode).toBe(1)
    const mine = gh.issues.issues.filter(i => i.title === TITLE && i.user === 'github-actions[bot]')
    expect(mine.map(i => i.state).sort()).toEqual(['closed', 'open'])
  })

  it('among look-alikes carrying the marker, the one by the token’s own identity is edited', async () => {
    const marker = '<!-- runcloud-domains-action:drift-issue manifest=domains.yml -->'
    gh.issues.user = 'deploy-bot'
    gh.issues.author = 'deploy-bot'
    gh.issues.issues.push(
      { number: 3, title: TITLE, body: `${marker}\nold`, state: 'open', labels: [LABEL], user: 'deploy-bot' },
      {
        number: 4,
        title: TITLE,
        body: `${marker}\nnot mine`,
        state: 'open',
        labels: [LABEL],
        user: 'mallory'
      }
    )
    await drift()
    expect(gh.issues.issues.find(i => i.number === 3)?.body).toMatch(/b\.example\.com/)
    expect(gh.issues.issues.find(i => i.number === 4)?.body).toBe(`${marker}\nnot mine`)
    expect(gh.issues.issues).toHaveLength(2)
  })

  it('reconcile that fixes everything closes the issue, saying so', async () => {
    await drift()
    expect(open()).toHaveLength(1)
    const res = await drift({ reconcile: 'true' })
    expect(res.exitCode).toBe(0)
    expect(open()).toHaveLength(0)
    expect(gh.comments.at(-1)?.body).toMatch(/fixed by reconcile/)
  })

  it('an app RunCloud could not read leaves the issue as it is', async () => {
    await drift()
    const before = open()[0]!.body
    sim.inject({ method: 'GET', path: /\/domains$/, times: Infinity, fault: { status: 404 } })
    sim.seedDomains(sid, aid, ['b.example.com'])
    const res = await drift({}, '2')
    expect(res.exitCode).toBe(1)
    expect(open()).toHaveLength(1)
    expect(open()[0]!.body).toBe(before)
  })

  it('no issues permission (403): a warning that names it, and the step’s result is the drift’s alone', async () => {
    gh.issues.forbid = true
    const res = await drift({ 'fail-on-drift': 'false' })
    expect(res.exitCode).toBe(0)
    expect(gh.issues.issues).toHaveLength(0)
    expect(warnings(res).some(w => /drift issue could not be opened \(HTTP 403.*issues: write/.test(w))).toBe(
      true
    )

    gh.issues.forbid = 'all'
    const res2 = await drift()
    expect(res2.exitCode).toBe(1)
    expect(res2.stdout).toMatch(/::error::Drift found/)
    expect(
      warnings(res2).some(w => /drift issue could not be looked up \(HTTP 403.*issues: write/.test(w))
    ).toBe(true)
  })

  it('drift-issue off (the default): no GitHub issue call at all', async () => {
    await drift({ 'drift-issue': 'false' })
    expect(gh.requests.filter(r => /\/issues|\/labels/.test(r.path))).toHaveLength(0)
  })
})

function writeManifest(domains: string[]): void {
  repo.commit({ 'domains.yml': manifest({ server: sid, app: aid, domains }) })
}
