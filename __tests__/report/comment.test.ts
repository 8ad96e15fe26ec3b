import { getOctokit } from '@actions/github'
import { planFingerprint, fingerprintEntries } from '../../src/plan/fingerprint.js'
import {
  COMMENT_LIMIT,
  commentBody,
  commentMarker,
  findPlanComment,
  readPlanComment,
  tokenIdentity,
  upsertPlanComment
} from '../../src/report/comment.js'
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.js'
import { add, appPlan, plan, remove } from '../../test-support/plan-factory.js'

describe('upsertPlanComment against a fake GitHub API', () => {
  let gh: FakeGitHub
  let infos: string[]
  let warnings: string[]
  beforeEach(async () => {
    gh = await startFakeGitHub()
    infos = []
    warnings = []
  })
  afterEach(() => gh.close())

  // The action's own Octokit (getOctokit), pointed at the fake; its own request log is kept quiet (403s are expected here).
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
  const args = (body: string, manifest = 'domains.yml') => ({
    github: getOctokit('test-token', { baseUrl: gh.url, log: quiet }),
    author: 'github-actions[bot]',
    owner: 'o',
    repo: 'r',
    issueNumber: 5,
    manifest,
    body,
    log: { info: (m: string) => infos.push(m), warning: (m: string) => warnings.push(m) }
  })
  const mine = (manifest = 'domains.yml') =>
    gh.comments.filter(c => c.issue === 5 && c.body.startsWith(commentMarker(manifest)))

  it('creates one comment, then edits it in place, finding its marker on page 2 of more than 100', async () => {
    for (let i = 0; i < 130; i++) gh.comments.push({ id: 1000 + i, issue: 5, body: `chatter ${i}` })
    gh.comments.push({ id: 5000, issue: 6, body: `${commentMarker('domains.yml')}\nanother PR` })

    expect(await upsertPlanComment(args('first plan'))).toBe('created')
    expect(mine()).toHaveLength(1)
    const id = mine()[0]!.id
    // Ours was created after 130 others: it is the 131st, on the second page of 100.
    expect(gh.comments.filter(c => c.issue === 5).findIndex(c => c.id === id)).toBe(130)

    gh.requests.length = 0
    expect(await upsertPlanComment(args('second plan'))).toBe('updated')
    expect(gh.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/o/r/issues/5/comments?per_page=100&page=1',
      'GET /repos/o/r/issues/5/comments?per_page=100&page=2',
      `PATCH /repos/o/r/issues/comments/${id}`
    ])
    expect(mine()).toHaveLength(1)
    expect(mine()[0]).toEqual({
      id,
      issue: 5,
      body: `${commentMarker('domains.yml')}\nsecond plan`,
      user: 'github-actions[bot]'
    })
    expect(gh.comments.find(c => c.id === 5000)?.body).toMatch(/another PR$/)
    expect(infos).toEqual(['Commented the plan on #5.', 'Updated the plan comment on #5.'])
  })

  it('one comment per manifest', async () => {
    await upsertPlanComment(args('a'))
    expect(await upsertPlanComment(args('b', 'sites/other.yml'))).toBe('created')
    expect(await upsertPlanComment(args('c', 'sites/other.yml'))).toBe('updated')
    expect(mine()).toHaveLength(1)
    expect(mine('sites/other.yml')).toHaveLength(1)
    expect(mine('sites/other.yml')[0]?.body).toMatch(/\nc$/)
  })

  it('a reply quoting the marker is not taken for the plan comment', async () => {
    gh.comments.push({
      id: 900,
      issue: 5,
      body: `> ${commentMarker('domains.yml')}\n> old plan\n\nLooks good`
    })
    expect(await upsertPlanComment(args('plan'))).toBe('created')
    expect(gh.comments.find(c => c.id === 900)?.body).toMatch(/Looks good$/)
  })

  it('keeps the body, marker included, within 65,536 characters, cut at a line end', async () => {
    const row = '| `d.example.com` | ➕ add | new in this change | planned |'
    await upsertPlanComment(args(Array.from({ length: 5_000 }, () => row).join('\n')))
    const body = gh.comments[0]!.body
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(body.startsWith(commentMarker('domains.yml'))).toBe(true)
    expect(body).toMatch(/\n\n… truncated to fit a GitHub comment; see the job summary\.$/)
    const lines = body.split('\n').slice(1, -2).filter(Boolean)
    for (const l of lines) expect(l).toBe(row)
  })

  it('no permission to write (a fork, no pull-requests: write) is a warning naming the permission', async () => {
    gh.forbidComments = true
    expect(await upsertPlanComment(args('x'))).toBe('skipped')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/#5 \(HTTP 403, no permission\).*permissions: pull-requests: write/)
    expect(gh.comments).toHaveLength(0)
  })

  it('no permission to list either: the same warning, nothing thrown', async () => {
    gh.forbidComments = 'all'
    expect(await upsertPlanComment(args('x'))).toBe('skipped')
    expect(warnings[0]).toMatch(/pull-requests: write/)
  })

  it('an unreachable API is a warning too, never an exception', async () => {
    await gh.close()
    expect(await upsertPlanComment(args('x'))).toBe('skipped')
    expect(warnings[0]).toMatch(/Could not comment the plan on pull request #5/)
    expect(warnings[0]).not.toContain('test-token')
    gh = await startFakeGitHub() // for afterEach
  })
})

describe('comment authorship', () => {
  let gh: FakeGitHub
  beforeEach(async () => {
    gh = await startFakeGitHub()
  })
  afterEach(() => gh.close())
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
  const client = (token = 'ghs_installation') => getOctokit(token, { baseUrl: gh.url, log: quiet })
  const log = { info: () => {}, warning: () => {} }

  it('the workflow token is github-actions[bot] (GET /user answers 403); a personal token is its login', async () => {
    gh.users.set('ghp_personal', 'octocat')
    expect(await tokenIdentity(client())).toBe('github-actions[bot]')
    expect(await tokenIdentity(client('ghp_personal'))).toBe('octocat')
    expect(gh.requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /user', 'GET /user'])
  })

  it('a comment by someone else that starts with the marker is neither edited nor trusted', async () => {
    const fp = 'f'.repeat(64)
    gh.comments.push({
      id: 1,
      issue: 5,
      body: `${commentMarker('domains.yml')}\nours`,
      user: 'github-actions[bot]'
    })
    gh.comments.push({
      id: 2,
      issue: 5,
      body: `${commentMarker('domains.yml', { fingerprint: fp, offline: false })}\nhijacked`,
      user: 'mallory'
    })
    const args = { github: client(), owner: 'o', repo: 'r', issueNumber: 5, manifest: 'domains.yml' }
    expect(await findPlanComment({ ...args, author: 'github-actions[bot]' })).toEqual({ id: 1, plan: {} })
    expect(await upsertPlanComment({ ...args, author: 'github-actions[bot]', body: 'new plan', log })).toBe(
      'updated'
    )
    expect(gh.comments.find(c => c.id === 1)?.body).toMatch(/new plan$/)
    expect(gh.comments.find(c => c.id === 2)?.body).toMatch(/hijacked$/)
  })

  it('of several of its own comments, the newest is the plan comment', async () => {
    gh.comments.push({ id: 1, issue: 5, body: `${commentMarker('domains.yml')}\nolder` })
    gh.comments.push({ id: 2, issue: 5, body: `${commentMarker('domains.yml')}\nnewer` })
    const found = await findPlanComment({
      github: client(),
      owner: 'o',
      repo: 'r',
      issueNumber: 5,
      manifest: 'domains.yml',
      author: 'github-actions[bot]'
    })
    expect(found?.id).toBe(2)
  })
})

describe('the plan a comment carries', () => {
  const p = plan([appPlan([add('a.example.com'), remove('b.example.com')])])
  const carried = { fingerprint: planFingerprint(p), offline: false, entries: fingerprintEntries(p) }

  it('its whole fingerprint and whether it was offline are in the marker; its changes round-trip', () => {
    const body = commentBody('domains.yml', 'the plan', carried)
    expect(body.split('\n')[0]).toBe(
      `<!-- runcloud-domains-action:manifest=domains.yml fingerprint=${carried.fingerprint} plan=online -->`
    )
    expect(readPlanComment(body, 'domains.yml')).toEqual(carried)
    expect(readPlanComment(body, 'other.yml')).toBeUndefined()
  })

  it('a change list that does not hash to the fingerprint is not believed', () => {
    const other = plan([appPlan([add('evil.example.com')])])
    const forged = commentBody('domains.yml', 'x', { ...carried, entries: fingerprintEntries(other) })
    expect(readPlanComment(forged, 'domains.yml')).toEqual({
      fingerprint: carried.fingerprint,
      offline: false
    })
  })

  it('a comment from before fingerprints is found, with no plan', () => {
    expect(readPlanComment(`${commentMarker('domains.yml')}\nold`, 'domains.yml')).toEqual({})
  })
})

describe('comment marker and body', () => {
  it('a manifest path cannot end the hidden HTML comment early', () => {
    const m = commentMarker('a-->b.yml')
    expect(m.startsWith('<!-- runcloud-domains-action:manifest=')).toBe(true)
    expect(m.indexOf('-->')).toBe(m.length - 3)
    expect(commentMarker('domains.yml')).toBe('<!-- runcloud-domains-action:manifest=domains.yml -->')
  })
  it('a body that fits is kept whole after the marker', () => {
    expect(commentBody('domains.yml', 'hello\nworld')).toBe(`${commentMarker('domains.yml')}\nhello\nworld`)
  })
})

describe('commentMarker', () => {
  it('one file written two ways is one manifest; two files are two', () => {
    expect(commentMarker('./domains.yml')).toBe(commentMarker('domains.yml'))
    expect(commentMarker('infra//domains.yml')).toBe(commentMarker('infra/domains.yml'))
    expect(commentMarker('infra/domains.yml')).not.toBe(commentMarker('domains.yml'))
  })
})
