/**
 * The event comes from @actions/github's context, whose module parses the event file as it loads:
 * a payload it would choke on gives the defaults with a warning, never a crash, and the GitHub
 * client still works.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runAction } from '../../test-support/action-runner.js'
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { manifest } from '../../test-support/manifest-text.js'

let gh: FakeGitHub
let repo: TempRepo
beforeEach(async () => {
  gh = await startFakeGitHub()
  repo = makeRepo([
    { 'domains.yml': manifest({ server: 1, app: 2, domains: ['a.example.com'] }) },
    { 'domains.yml': manifest({ server: 1, app: 2, domains: ['a.example.com', 'b.example.com'] }) }
  ])
})
afterEach(async () => {
  await gh.close()
  repo.cleanup()
})

describe('event payload through @actions/github', () => {
  it.each([
    ['not JSON', '{"pull_request": ', /could not be read/],
    ['null', 'null', /is not a JSON object/],
    ['a JSON string', '"pull_request"', /is not a JSON object/],
    ['a missing file', undefined, /could not be read \(ENOENT/]
  ])('%s: the defaults with a warning, an offline plan from the parent commit', async (_what, text, why) => {
    const path = join(repo.dir, '..', 'event-odd.json')
    if (text !== undefined) writeFileSync(path, text)
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'pull_request',
      githubApiUrl: gh.url,
      env: { GITHUB_EVENT_PATH: path }
    })
    expect(res.exitCode).toBe(0)
    expect(res.stderr).not.toMatch(/SyntaxError|TypeError|Unexpected error/)
    const warning = res.annotations.find(a => a.level === 'warning' && /GITHUB_EVENT_PATH/.test(a.message))
    expect(warning?.message).toMatch(why)
    expect(warning?.message).toMatch(/using the defaults/)
    expect(JSON.parse(res.outputs.added ?? '')).toEqual(['b.example.com'])
    // No pull request number in the defaults: no comment, and no other GitHub call either.
    expect(gh.requests).toEqual([])
  })

  it('a well-formed payload is read from the context: the comment goes to its pull request', async () => {
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'pull_request',
      githubApiUrl: gh.url,
      payload: { number: 12, pull_request: { number: 12, base: { sha: repo.shas[0] } } }
    })
    expect(res.exitCode).toBe(0)
    expect(res.annotations.filter(a => /GITHUB_EVENT_PATH/.test(a.message))).toEqual([])
    expect(gh.comments.map(c => c.issue)).toEqual([12])
    expect(gh.requests.every(r => r.authorization?.startsWith('token ghs_'))).toBe(true)
  })

  it('a GITHUB_API_URL that is not a URL: a warning, no GitHub call, the plan still made', async () => {
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'pull_request',
      githubApiUrl: 'not a url',
      payload: { number: 12, pull_request: { number: 12, base: { sha: repo.shas[0] } } }
    })
    expect(res.exitCode).toBe(0)
    expect(
      res.annotations.some(a => a.level === 'warning' && /GITHUB_API_URL is not a URL/.test(a.message))
    ).toBe(true)
    expect(JSON.parse(res.outputs.added ?? '')).toEqual(['b.example.com'])
    expect(gh.requests).toEqual([])
  })
})
