/**
 * The last-applied record, superseded runs and the reviewed plan, end to end: the bundled action
 * on Node 24 as a runner runs it, in a checkout of a real git repository (its `origin`), against
 * the RunCloud simulator and a fake GitHub that keeps deployments and their statuses, pull
 * requests, comment authors, `/user` (403 for the workflow's installation token) and branch tips
 * read from that repository.
 */
import { dirname, join } from 'node:path'
import { runAction, type ActionRun } from '../../test-support/action-runner.js'
import { git, makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { startSimulator, type Simulator } from '../../test-support/simulator/server.js'
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.js'
import { manifest } from '../../test-support/manifest-text.js'

const TOKEN = 'rc-record-token-8c1d2e3f'
const GH_TOKEN = 'ghs_recordInstallationToken0123456789'
const RUN_URL = 'https://github.com/acme/sites/actions/runs/1'
const PENDING = 'merged earlier, not applied yet'

let sim: Simulator
let gh: FakeGitHub
let serverId: number
let appId: number
const repos: TempRepo[] = []

beforeEach(async () => {
  sim = await startSimulator({ token: TOKEN })
  gh = await startFakeGitHub()
  serverId = sim.addServer({ name: 'web-1' }).id
  appId = sim.addApp(serverId, { name: 'main', primary: 'main.example.com' }).id
})
afterEach(async () => {
  await sim.close()
  await gh.close()
  while (repos.length) repos.pop()?.cleanup()
})

const m = (...domains: string[]) => manifest({ server: serverId, app: appId, domains })
const live = () =>
  sim
    .domains(serverId, appId)
    .map(d => d.name)
    .filter(n => n !== 'main.example.com')
    .sort()

/** The repository on GitHub (`origin`) and the runner's checkout of it. */
interface World {
  origin: TempRepo
  workspace: string
  /** Commit on the origin's current branch. */
  commit(text: string | null, files?: Record<string, string | null>): string
}

function world(first: string): World {
  const origin = makeRepo([{ 'domains.yml': first }])
  repos.push(origin)
  gh.gitDir = origin.dir
  const workspace = join(dirname(origin.dir), 'checkout')
  git(dirname(origin.dir), 'clone', '-q', `file://${origin.dir}`, workspace)
  return {
    origin,
    workspace,
    commit: (text, files = {}) => origin.commit(text === null ? files : { 'domains.yml': text, ...files })
  }
}

/** actions/checkout of `sha`: a detached HEAD at that commit. */
function checkout(w: World, sha: string): void {
  git(w.workspace, 'fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*')
  git(w.workspace, 'checkout', '-q', '--detach', sha)
}

const outputsNoSecret = (r: ActionRun) => {
  const emitted = [r.stdout.replace(/^::add-mask::.*$/gm, ''), r.stderr, r.summary, JSON.stringify(r.outputs)]
  for (const c of gh.comments) emitted.push(c.body)
  for (const d of gh.deployments) emitted.push(JSON.stringify(d))
  for (const secret of [TOKEN, GH_TOKEN]) expect(emitted.join('\n').includes(secret)).toBe(false)
}

async function push(
  w: World,
  sha: string,
  before: string,
  inputs: Record<string, string> = {},
  opts: { event?: string; githubToken?: string } = {}
): Promise<ActionRun> {
  checkout(w, sha)
  const r = await runAction({
    workspace: w.workspace,
    eventName: opts.event ?? 'push',
    payload: opts.event === 'workflow_dispatch' ? { ref: 'refs/heads/main' } : { before, after: sha },
    sha,
    githubApiUrl: gh.url,
    githubToken: opts.githubToken ?? GH_TOKEN,
    env: { GITHUB_REF: 'refs/heads/main' },
    inputs: { mode: 'apply', 'api-token': TOKEN, 'api-url': sim.url, ...inputs }
  })
  outputsNoSecret(r)
  return r
}

async function prPlan(
  w: World,
  pr: { number: number; base: string; head: string },
  inputs: Record<string, string> = { 'api-token': TOKEN },
  githubToken = GH_TOKEN
): Promise<ActionRun> {
  checkout(w, pr.head)
  const r = await runAction({
    workspace: w.workspace,
    eventName: 'pull_request',
    payload: {
      number: pr.number,
      pull_request: { number: pr.number, base: { sha: pr.base }, head: { sha: pr.head } }
    },
    sha: pr.head,
    githubApiUrl: gh.url,
    githubToken,
    env: { GITHUB_REF: `refs/pull/${pr.number}/merge` },
    inputs: { mode: 'plan', 'api-url': sim.url, ...inputs }
  })
  outputsNoSecret(r)
  return r
}

type PlanJson = { apps: { changes: { action: string; domain: string; reasonText: string }[] }[] }
const changes = (r: ActionRun): string[] =>
  (JSON.parse(r.outputs.plan ?? '{}') as PlanJson).apps.flatMap(a =>
    a.changes.map(c => `${c.action} ${c.domain}: ${c.reasonText}`)
  )
/** The summary as people read it: the escapes that keep `#7` from linking undone. */
const summary = (r: ActionRun) => r.summary.replace(/&#35;&#8203;/g, '#')
const warnings = (r: ActionRun) => r.annotations.filter(a => a.level === 'warning').map(a => a.message)
const errors = (r: ActionRun) => r.annotations.filter(a => a.level === 'error').map(a => a.message)
const ZEROS = '0'.repeat(40)

describe('the last-applied record', () => {
  it('three pushes whose middle run never ran: the third apply does the middle push’s additions and removals', async () => {
    sim.seedDomains(serverId, appId, ['a.example.com', 'b.example.com'])
    const w = world(m('a.example.com', 'b.example.com'))
    const c0 = w.origin.shas[0] as string
    const first = await push(w, c0, ZEROS)
    expect(first.exitCode).toBe(0)
    expect(summary(first)).toMatch(
      /No apply of domains\.yml is recorded in the environment runcloud-domains yet/
    )
    expect(gh.deployments).toHaveLength(1)

    const c1 = w.commit(m('b.example.com', 'c.example.com')) // its run was cancelled by the concurrency group
    const c2 = w.commit(m('b.example.com', 'c.example.com', 'd.example.com'))
    sim.resetCalls()
    const third = await push(w, c2, c1)
    expect(third.exitCode).toBe(0)
    expect(live()).toEqual(['b.example.com', 'c.example.com', 'd.example.com'])
    expect(changes(third)).toEqual([
      `add c.example.com: ${PENDING}`,
      'add d.example.com: new in this change',
      `remove a.example.com: ${PENDING}`
    ])
    expect(summary(third)).toContain(
      `Base: the manifest of the last successful apply, deployment #1 of ${c0.slice(0, 7)} in the environment runcloud-domains.`
    )
    expect(summary(third)).toContain(PENDING)

    // The record: a deployment of c2, in_progress before the first write, then success.
    const d = gh.deployments[1]
    expect(d).toMatchObject({
      sha: c2,
      ref: c2,
      task: 'runcloud-domains:domains.yml',
      environment: 'runcloud-domains',
      auto_merge: false,
      required_contexts: [],
      transient_environment: false
    })
    expect(d?.statuses.map(s => s.state)).toEqual(['in_progress', 'success'])
    for (const s of d?.statuses ?? []) {
      expect(s.auto_inactive).toBe(false)
      expect(s.log_url).toBe(RUN_URL)
      expect((s.description ?? '').length).toBeLessThanOrEqual(140)
    }
    expect(d?.statuses[1]?.description).toBe('2 added, 0 updated, 1 removed, 0 failed')
    // The earlier deployment keeps its success: GitHub was told not to mark it inactive.
    expect(gh.deployments[0]?.statuses.map(s => s.state)).toEqual(['in_progress', 'success'])
    expect(summary(third)).toMatch(
      /Recorded as deployment #\d+ of [0-9a-f]{7} in the environment runcloud-domains\. Status: success\./
    )
    // The in_progress status was sent before RunCloud's first write, the success after its last.
    const statusTimes = gh.requests
      .filter(q => q.method === 'POST' && q.path.endsWith('/statuses'))
      .map(q => q.at)
    const writeTimes = sim.callLog.filter(c => c.method !== 'GET').map(c => c.at)
    expect(writeTimes.length).toBeGreaterThan(0)
    expect(statusTimes.at(-2)).toBeLessThanOrEqual(Math.min(...writeTimes))
    expect(statusTimes.at(-1)).toBeGreaterThanOrEqual(Math.max(...writeTimes))
  })

  it('a failed apply, then a fixed one: the failed removal is retried', async () => {
    sim.seedDomains(serverId, appId, ['a.example.com', 'b.example.com'])
    const w = world(m('a.example.com', 'b.example.com'))
    expect((await push(w, w.origin.shas[0] as string, ZEROS)).exitCode).toBe(0)

    const c1 = w.commit(m('a.example.com'))
    sim.inject({ method: 'DELETE', path: /\/domains\/\d+$/, times: Infinity, fault: { status: 422 } })
    const failed = await push(w, c1, w.origin.shas[0] as string)
    expect(failed.exitCode).toBe(1)
    expect(live()).toContain('b.example.com')
    expect(gh.deployments[1]?.statuses.map(s => s.state)).toEqual(['in_progress', 'failure'])
    expect(gh.deployments[1]?.statuses[1]?.description).toMatch(/1 failed/)

    sim.clearFaults()
    const c2 = w.commit(m('a.example.com', 'e.example.com'))
    const fixed = await push(w, c2, c1)
    expect(fixed.exitCode).toBe(0)
    expect(live()).toEqual(['a.example.com', 'e.example.com'])
    expect(changes(fixed)).toEqual([
      'add e.example.com: new in this change',
      `remove b.example.com: ${PENDING}`
    ])
    expect(gh.deployments[2]?.statuses.map(s => s.state)).toEqual(['in_progress', 'success'])
  })

  it('a base that was applied and then marked inactive by another tool still counts', async () => {
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const w = world(m('a.example.com'))
    const c0 = w.origin.shas[0] as string
    expect((await push(w, c0, ZEROS)).exitCode).toBe(0)
    gh.deployments[0]?.statuses.push({ id: 999, state: 'inactive', created_at: '2026-02-01T00:00:00Z' })
    const c1 = w.commit(m('a.example.com', 'x.example.com'))
    const c2 = w.commit(m('x.example.com', 'y.example.com'))
    const res = await push(w, c2, c1)
    expect(res.exitCode).toBe(0)
    expect(live()).toEqual(['x.example.com', 'y.example.com'])
  })

  it('deployments refused with 403: the event’s base, and the summary says which permission is missing', async () => {
    gh.forbidDeployments = true
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const w = world(m('a.example.com'))
    const c1 = w.commit(m('a.example.com', 'b.example.com'))
    const res = await push(w, c1, w.origin.shas[0] as string)
    expect(res.exitCode).toBe(0)
    expect(live()).toEqual(['a.example.com', 'b.example.com'])
    expect(warnings(res).some(x => /could not be read \(HTTP 403.*'deployments: write'/.test(x))).toBe(true)
    expect(
      warnings(res).some(x => /not recorded as a deployment \(HTTP 403.*'deployments: write'/.test(x))
    ).toBe(true)
    expect(summary(res)).toMatch(/deployments: write/)
    expect(gh.deployments).toHaveLength(0)

    const c2 = w.commit(m('a.example.com', 'b.example.com', 'c.example.com'))
    const plan = await prPlan(w, { number: 3, base: c1, head: c2 })
    expect(plan.exitCode).toBe(0)
    expect(warnings(plan).some(x => /'deployments: read'/.test(x))).toBe(true)
    expect(changes(plan)).toEqual(['add c.example.com: new in this change'])
  })
})

describe('superseded runs', () => {
  it('an old run re-run after a newer manifest change: no RunCloud write, no record, success with a notice naming the newer commit', async () => {
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const w = world(m('a.example.com'))
    const c0 = w.origin.shas[0] as string
    const c1 = w.commit(m('a.example.com', 'b.example.com'))
    const c2 = w.commit(m('c.example.com'))
    expect((await push(w, c2, c1)).exitCode).toBe(0)
    expect(live()).toEqual(['c.example.com'])
    const recorded = gh.deployments.length

    sim.resetCalls()
    gh.requests.length = 0
    const rerun = await push(w, c1, c0)
    expect(rerun.exitCode).toBe(0)
    expect(sim.writes()).toBe(0)
    expect(sim.calls).toBe(0)
    expect(live()).toEqual(['c.example.com'])
    expect(gh.deployments).toHaveLength(recorded)
    expect(gh.deploymentWrites()).toEqual([])
    const notice = rerun.annotations.find(a => a.level === 'notice')?.message ?? ''
    expect(notice).toContain(`main has moved on to ${c2.slice(0, 7)} (${c2})`)
    expect(notice).toMatch(/wrote nothing and recorded nothing/)
    expect(summary(rerun)).toContain('Superseded')
    expect(rerun.outputs['has-changes']).toBe('false')
  })

  it('an older run whose tip only changed other files (or comments) applies normally', async () => {
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const w = world(m('a.example.com'))
    const c0 = w.origin.shas[0] as string
    const c1 = w.commit(m('a.example.com', 'b.example.com'))
    w.commit(null, { 'README.md': 'docs only\n' })
    w.commit(`# a comment only\n${m('a.example.com', 'b.example.com')}`)
    const res = await push(w, c1, c0)
    expect(res.exitCode).toBe(0)
    expect(live()).toEqual(['a.example.com', 'b.example.com'])
    expect(res.annotations.some(a => a.level === 'notice')).toBe(false)
    expect(gh.deployments.at(-1)).toMatchObject({ sha: c1 })
    expect(gh.deployments.at(-1)?.statuses.at(-1)?.state).toBe('success')
  })
})

describe('plans on pull requests', () => {
  it('a change merged earlier and not applied yet shows in a later pull request’s plan, named as such', async () => {
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const w = world(m('a.example.com'))
    expect((await push(w, w.origin.shas[0] as string, ZEROS)).exitCode).toBe(0)
    const merged = w.commit(m('a.example.com', 'p.example.com')) // merged; its apply failed to run
    git(w.origin.dir, 'checkout', '-q', '-b', 'feature')
    const head = w.commit(m('a.example.com', 'p.example.com', 'q.example.com'))
    git(w.origin.dir, 'checkout', '-q', 'main')

    for (const inputs of [{ 'api-token': TOKEN }, {}] as Record<string, string>[]) {
      const res = await prPlan(w, { number: 9, base: merged, head }, inputs)
      expect(res.exitCode).toBe(0)
      expect(changes(res)).toEqual([`add p.example.com: ${PENDING}`, 'add q.example.com: new in this change'])
      const comment = gh.comments.find(c => c.issue === 9)?.body ?? ''
      expect(comment).toMatch(/`p\.example\.com` \| ➕ add \| merged earlier, not applied yet/)
      expect(comment).toMatch(/`q\.example\.com` \| ➕ add \| new in this change/)
    }
    expect(gh.comments.filter(c => c.issue === 9)).toHaveLength(1)
  })
})

describe('the reviewed plan', () => {
  /** main at c0 (applied), a pull request adding q; returns what a merge needs. */
  async function withPullRequest(extraCommit?: string) {
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const w = world(m('a.example.com'))
    const c0 = w.origin.shas[0] as string
    expect((await push(w, c0, ZEROS)).exitCode).toBe(0)
    git(w.origin.dir, 'checkout', '-q', '-b', 'feature')
    const prHead = w.commit(m('a.example.com', 'q.example.com'))
    const later = extraCommit ? w.commit(extraCommit) : undefined
    git(w.origin.dir, 'checkout', '-q', 'main')
    const merge = () => {
      git(w.origin.dir, 'merge', '-q', '--no-ff', 'feature', '-m', 'Merge pull request #7')
      const sha = git(w.origin.dir, 'rev-parse', 'HEAD')
      gh.pulls.push({ number: 7, merge_commit_sha: sha, commits: [prHead, ...(later ? [later] : [])] })
      return sha
    }
    return { w, c0, prHead, later, merge }
  }

  it('the same plan: the apply goes on and says so', async () => {
    const { w, c0, prHead, merge } = await withPullRequest()
    const plan = await prPlan(w, { number: 7, base: c0, head: prHead })
    expect(plan.exitCode).toBe(0)
    const fp = plan.outputs.fingerprint ?? ''
    expect(fp).toMatch(/^[0-9a-f]{64}$/)
    expect(summary(plan)).toContain(`**Fingerprint** \`${fp.slice(0, 12)}\``)
    const comment = gh.comments.find(c => c.issue === 7)?.body ?? ''
    expect(comment.split('\n')[0]).toBe(
      `<!-- runcloud-domains-action:manifest=domains.yml fingerprint=${fp} plan=online -->`
    )
    expect(comment).toContain(`\`${fp.slice(0, 12)}\``)

    const sha = merge()
    const res = await push(w, sha, c0, { 'reviewed-plan': 'require' })
    expect(res.exitCode).toBe(0)
    expect(res.outputs.fingerprint).toBe(fp)
    expect(live()).toEqual(['a.example.com', 'q.example.com'])
    expect(summary(res)).toContain(
      `Reviewed plan: the same as shown on pull request #7 (${fp.slice(0, 12)}, online).`
    )
  })

  it('a different plan: require refuses before any write and lists the differences; warn goes on', async () => {
    // The pull request got a second commit whose plan never ran.
    const { w, c0, prHead, merge } = await withPullRequest(
      m('a.example.com', 'q.example.com', 'r.example.com')
    )
    expect((await prPlan(w, { number: 7, base: c0, head: prHead })).exitCode).toBe(0)
    const sha = merge()

    sim.resetCalls()
    const refused = await push(w, sha, c0, { 'reviewed-plan': 'require' })
    expect(refused.exitCode).toBe(1)
    expect(sim.writes()).toBe(0)
    expect(live()).toEqual(['a.example.com'])
    const error = errors(refused).join('\n')
    expect(error).toMatch(/differs from the plan reviewed on pull request #7/)
    expect(error).toMatch(
      /Only in this apply's plan:\n {2}- add r\.example\.com \(server \d+ \/ app \d+, www on, redirect non-www\)/
    )
    expect(error).not.toMatch(/Only in the reviewed plan/)
    expect(error).toMatch(/re-run its plan job\) before merging.*workflow_dispatch/)
    expect(error).toMatch(/Nothing was written\./)
    expect(summary(refused)).toMatch(/Only in this apply's plan/)
    expect(gh.deployments.at(-1)?.statuses.map(s => s.state)).toEqual(['failure'])
    expect(gh.deployments.at(-1)?.statuses[0]?.description).toMatch(/^Refused: not the reviewed plan/)

    const warned = await push(w, sha, c0, { 'reviewed-plan': 'warn' })
    expect(warned.exitCode).toBe(0)
    expect(warnings(warned).some(x => /differs from the plan reviewed on pull request #7/.test(x))).toBe(true)
    expect(live()).toEqual(['a.example.com', 'q.example.com', 'r.example.com'])

    // By hand (workflow_dispatch): not checked, and the summary says so.
    const byHand = await push(w, sha, c0, { 'reviewed-plan': 'require' }, { event: 'workflow_dispatch' })
    expect(byHand.exitCode).toBe(0)
    expect(summary(byHand)).toMatch(/Reviewed plan: not checked — a run started by hand/)
  })

  it('an offline pull-request plan is compared with the apply’s offline plan, not its online one', async () => {
    const { w, c0, prHead, merge } = await withPullRequest()
    // A fork's pull request: no RunCloud secret, an offline plan.
    const plan = await prPlan(w, { number: 7, base: c0, head: prHead }, {})
    expect(plan.exitCode).toBe(0)
    expect(gh.comments[0]?.body.split('\n')[0]).toMatch(/ plan=offline -->$/)
    // Live state moved meanwhile: q was added by hand, so the online plan has nothing to add.
    sim.seedDomains(serverId, appId, ['q.example.com'])
    const res = await push(w, merge(), c0, { 'reviewed-plan': 'require' })
    expect(res.exitCode).toBe(0)
    expect(res.outputs.fingerprint).not.toBe(plan.outputs.fingerprint)
    expect(summary(res)).toContain(
      `Reviewed plan: the same as shown on pull request #7 (${(plan.outputs.fingerprint ?? '').slice(0, 12)}, offline).`
    )
  })

  it('a comment by another user that carries the marker is ignored: neither edited nor trusted', async () => {
    const { w, c0, prHead, later, merge } = await withPullRequest(
      m('a.example.com', 'q.example.com', 'r.example.com')
    )
    gh.users.set('ghp_mallory_personal_token', 'mallory')
    expect((await prPlan(w, { number: 7, base: c0, head: prHead })).exitCode).toBe(0)
    // Mallory runs the plan of the unreviewed commit with her own token: a comment with the marker
    // and the very fingerprint the apply will compute.
    const forged = await prPlan(
      w,
      { number: 7, base: c0, head: later as string },
      { 'api-token': TOKEN },
      'ghp_mallory_personal_token'
    )
    expect(gh.comments.map(c => c.user)).toEqual(['github-actions[bot]', 'mallory'])
    const sha = merge()
    sim.resetCalls()
    const refused = await push(w, sha, c0, { 'reviewed-plan': 'require' })
    expect(refused.exitCode).toBe(1)
    expect(refused.outputs.fingerprint).toBe(forged.outputs.fingerprint)
    expect(sim.writes()).toBe(0)
    // A new plan run by the workflow edits its own comment, not Mallory's.
    const malloryBody = gh.comments[1]?.body
    expect((await prPlan(w, { number: 7, base: c0, head: later as string })).exitCode).toBe(0)
    expect(gh.comments).toHaveLength(2)
    expect(gh.comments[1]?.body).toBe(malloryBody)
    expect(gh.comments[0]?.body).toContain('r.example.com')
  })

  it('a merged pull request without a plan comment: require refuses, naming the way out', async () => {
    const { w, c0, merge } = await withPullRequest()
    sim.resetCalls()
    const res = await push(w, merge(), c0, { 'reviewed-plan': 'require' })
    expect(res.exitCode).toBe(1)
    expect(errors(res).join('\n')).toMatch(
      /pull request #7 has no plan comment for domains\.yml by github-actions\[bot\]/
    )
    expect(sim.writes()).toBe(0)
  })

  it('a push that came from no pull request is not checked, and the summary says so', async () => {
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const w = world(m('a.example.com'))
    const c1 = w.commit(m('a.example.com', 'b.example.com'))
    const res = await push(w, c1, w.origin.shas[0] as string, { 'reviewed-plan': 'require' })
    expect(res.exitCode).toBe(0)
    expect(summary(res)).toMatch(
      /Reviewed plan: not checked — [0-9a-f]{7} was not produced by merging a pull request/
    )
  })
})

describe('GitHub calls per mode', () => {
  it('plan on a pull request, apply on push, drift: each costs a known list of calls', async () => {
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const w = world(m('a.example.com'))
    const c0 = w.origin.shas[0] as string
    const calls = () =>
      gh.requests.map(
        q =>
          `${q.method} ${q.path
            .replace(/\?.*$/, '')
            .replace(/\/\d+(?=\/|$)/g, '/N')
            .replace(/[0-9a-f]{40}/g, 'SHA')}`
      )

    gh.requests.length = 0
    await push(w, c0, ZEROS)
    const firstApply = calls()

    git(w.origin.dir, 'checkout', '-q', '-b', 'feature')
    const prHead = w.commit(m('a.example.com', 'q.example.com'))
    git(w.origin.dir, 'checkout', '-q', 'main')
    gh.requests.length = 0
    await prPlan(w, { number: 7, base: c0, head: prHead })
    const plan = calls()

    git(w.origin.dir, 'merge', '-q', '--no-ff', 'feature', '-m', 'Merge pull request #7')
    const sha = git(w.origin.dir, 'rev-parse', 'HEAD')
    gh.pulls.push({ number: 7, merge_commit_sha: sha })
    gh.requests.length = 0
    await push(w, sha, c0)
    const apply = calls()

    gh.requests.length = 0
    checkout(w, sha)
    await runAction({
      workspace: w.workspace,
      eventName: 'schedule',
      githubApiUrl: gh.url,
      githubToken: GH_TOKEN,
      env: { GITHUB_REF: 'refs/heads/main' },
      inputs: { mode: 'drift', 'api-token': TOKEN, 'api-url': sim.url }
    })
    const drift = calls()
    // The reads as a set (a pushed apply asks for the branch tip and for the record together, so
    // their order is not fixed), the writes in order.
    const known = (list: string[]) => ({
      reads: list.filter(c => c.startsWith('GET ')).sort(),
      writes: list.filter(c => !c.startsWith('GET '))
    })

    expect(known(firstApply)).toEqual(
      known([
        'GET /repos/acme/sites/git/ref/heads/main',
        'GET /repos/acme/sites/deployments',
        'GET /repos/acme/sites/commits/SHA/pulls',
        'POST /repos/acme/sites/deployments',
        'POST /repos/acme/sites/deployments/N/statuses',
        'POST /repos/acme/sites/deployments/N/statuses'
      ])
    )
    expect(known(plan)).toEqual(
      known([
        'GET /repos/acme/sites/deployments',
        'GET /repos/acme/sites/deployments/N/statuses',
        'GET /user',
        'GET /repos/acme/sites/issues/N/comments',
        'POST /repos/acme/sites/issues/N/comments'
      ])
    )
    expect(known(apply)).toEqual(
      known([
        'GET /repos/acme/sites/git/ref/heads/main',
        'GET /repos/acme/sites/deployments',
        'GET /repos/acme/sites/deployments/N/statuses',
        'GET /repos/acme/sites/commits/SHA/pulls',
        'GET /user',
        'GET /repos/acme/sites/issues/N/comments',
        'POST /repos/acme/sites/deployments',
        'POST /repos/acme/sites/deployments/N/statuses',
        'POST /repos/acme/sites/deployments/N/statuses'
      ])
    )
    expect(drift).toEqual([])
  })
})
