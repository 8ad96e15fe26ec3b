/** Malformed event payloads and hostile input values, through the bundled action: clear errors, nothing sent, nothing leaked. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runAction } from '../../test-support/action-runner.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { startSimulator, type Simulator } from '../../test-support/simulator/server.js'

const TOKEN = 'hostile-token-77aa88bb'
let sim: Simulator
let repo: TempRepo
let sid: number
let aid: number
beforeEach(async () => {
  sim = await startSimulator({ token: TOKEN })
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
  repo = makeRepo([
    {
      'domains.yml': `version: 1\napps:\n  - server: ${sid}\n    app: ${aid}\n    domains: [a.example.com]\n`
    },
    {
      'domains.yml': `version: 1\napps:\n  - server: ${sid}\n    app: ${aid}\n    domains: [a.example.com, b.example.com]\n`
    }
  ])
})
afterEach(async () => {
  await sim.close()
  repo.cleanup()
})

const clean = (text: string) => text.replace(/^::add-mask::.*$/gm, '')

describe('malformed event payloads', () => {
  it.each([
    ['not JSON', '{"pull_request": '],
    ['a JSON list', '[1,2,3]'],
    [
      'a base that looks like an option',
      JSON.stringify({ pull_request: { number: 1, base: { sha: '--upload-pack=touch /tmp/pwned' } } })
    ],
    ['a base of the wrong type', JSON.stringify({ pull_request: { number: 'x', base: { sha: 42 } } })],
    ['a before of the wrong type', JSON.stringify({ before: { sha: 'x' } })]
  ])('%s: falls back to the parent commit and plans', async (_what, payload) => {
    sim.seedDomains(sid, aid, ['a.example.com'])
    writeFileSync(join(repo.dir, '..', 'event-bad.json'), payload)
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'pull_request',
      inputs: { 'api-token': TOKEN, 'api-url': sim.url, comment: 'false' },
      env: { GITHUB_EVENT_PATH: join(repo.dir, '..', 'event-bad.json') }
    })
    expect(res.exitCode).toBe(0)
    expect(JSON.parse(res.outputs.added ?? '[]')).toEqual(['b.example.com'])
    expect(sim.callLog.every(c => c.method === 'GET')).toBe(true)
  })
})

describe('hostile input values', () => {
  it.each([
    [{ manifest: '../../../etc/passwd' }, "Input 'manifest'"],
    [{ manifest: '/etc/passwd' }, "Input 'manifest'"],
    [{ 'api-url': 'http://attacker.example.com/api/v3' }, "Input 'api-url'"],
    [{ 'api-url': 'https://user:pass@manage.runcloud.io/api/v3' }, "Input 'api-url'"],
    [{ 'api-url': 'javascript:alert(1)' }, "Input 'api-url'"],
    [{ concurrency: '1e9' }, "Input 'concurrency'"],
    [{ concurrency: '-1' }, "Input 'concurrency'"],
    [{ 'server-id': '1; rm -rf /' }, "Input 'server-id'"],
    [{ 'app-id': '../../1' }, "Input 'app-id'"],
    [{ 'base-ref': '--output=/tmp/x' }, "Input 'base-ref'"],
    [{ 'base-ref': 'HEAD; echo' }, "Input 'base-ref'"],
    [{ 'ssl-redeploy': '$(id)' }, "Input 'ssl-redeploy'"],
    [{ mode: 'apply\nplan' }, "Input 'mode'"]
  ])(
    '%j is refused naming the input, with no request and no secret in the output',
    async (inputs, expected) => {
      const res = await runAction({
        workspace: repo.dir,
        eventName: 'push',
        payload: { before: repo.shas[0] },
        inputs: { 'api-token': TOKEN, 'api-url': sim.url, ...inputs }
      })
      expect(res.exitCode).toBe(1)
      expect(res.annotations.find(a => a.level === 'error')?.message).toContain(expected)
      expect(sim.calls).toBe(0)
      expect(clean(res.stdout + res.stderr + res.summary).includes(TOKEN)).toBe(false)
    }
  )

  it('a manifest naming hostile server/app values never reaches a URL unescaped', async () => {
    writeFileSync(
      join(repo.dir, 'domains.yml'),
      `version: 1\napps:\n  - server: "../../servers?x=1#"\n    app: "a/b"\n    domains: [c.example.com]\n`
    )
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { before: repo.shas[1] },
      inputs: { 'api-token': TOKEN, 'api-url': sim.url, mode: 'apply' }
    })
    expect(res.exitCode).toBe(1)
    expect(sim.callLog.some(c => c.path === '/servers')).toBe(true)
    for (const c of sim.callLog) expect(c.path).not.toMatch(/\.\.|a\/b|\?x/)
    expect(res.stdout).toMatch(/no server named/)
  })
})
