/**
 * The event is read without loading Octokit; the client is made on the first GitHub call, once.
 * The event is read as @actions/github's context reads it.
 */
import { jest } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []
let loads = 0
jest.unstable_mockModule('../../src/net/octokit.js', () => {
  loads++
  return {
    createGitHubClient: async (token: string) => {
      made.push(token)
      return { token }
    }
  }
})
const { openGitHub } = await import('../../src/net/github.js')

const dir = mkdtempSync(join(tmpdir(), 'rcd-gh-'))
const saved = { ...process.env }
afterEach(() => {
  process.env = { ...saved }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function event(name: string, text: string | undefined, env: Record<string, string> = {}) {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`)
  if (text !== undefined) writeFileSync(path, text)
  Object.assign(process.env, { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: path, GITHUB_SHA: 'abc123' }, env)
  delete process.env.GITHUB_REPOSITORY
  Object.assign(process.env, env)
}

it('reads the event without loading Octokit, and makes the client once, on first use', async () => {
  event('pull_request', JSON.stringify({ pull_request: { number: 7 } }), { GITHUB_REPOSITORY: 'acme/sites' })
  const warnings: string[] = []
  const gh = openGitHub('ghs_token', m => warnings.push(m))
  expect(gh.event).toEqual({
    eventName: 'pull_request',
    payload: { pull_request: { number: 7 } },
    sha: 'abc123'
  })
  expect(gh.repo).toEqual({ owner: 'acme', repo: 'sites' })
  expect(warnings).toEqual([])
  expect(loads).toBe(0)
  const [a, b] = await Promise.all([gh.octokit?.(), gh.octokit?.()])
  expect(a).toBe(b)
  expect(await gh.octokit?.()).toBe(a)
  expect(made).toEqual(['ghs_token'])
  expect(loads).toBe(1)
})

it('no token: no client', () => {
  event('push', '{}', { GITHUB_REPOSITORY: 'acme/sites' })
  expect(openGitHub(undefined, () => {}).octokit).toBeUndefined()
})

it("the repository comes from the payload when GITHUB_REPOSITORY is unset, as the library's context does", () => {
  event('push', JSON.stringify({ repository: { owner: { login: 'acme' }, name: 'web' } }))
  expect(openGitHub(undefined, () => {}).repo).toEqual({ owner: 'acme', repo: 'web' })
  event('push', '{}')
  expect(openGitHub(undefined, () => {}).repo).toBeUndefined()
  event('push', '{}', { GITHUB_REPOSITORY: 'no-slash' })
  expect(openGitHub(undefined, () => {}).repo).toBeUndefined()
})

it.each([
  ['not JSON', '{"pull', /could not be read/],
  ['a list', '[1]', /is not a JSON object/],
  ['missing', undefined, /could not be read/]
])('a payload that is %s gives the defaults with a warning', (_, text, warning) => {
  event('pull_request', text)
  const warnings: string[] = []
  expect(openGitHub(undefined, m => warnings.push(m)).event.payload).toEqual({})
  expect(warnings).toEqual([expect.stringMatching(warning)])
})
