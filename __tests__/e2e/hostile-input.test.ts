/** Malformed event payloads and hostile input values, through the bundled action: clear errors, nothing sent, nothing leaked. */
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { node24, ROOT, runAction, type ActionRun } from '../../test-support/action-runner.js'
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.js'
import { git, makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { encodings, findLeaks } from '../../test-support/leaks.js'
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

/** Everything a run emits, but the runner's own `::add-mask::` commands (which the runner consumes). */
function emitted(res: ActionRun, gh?: FakeGitHub): string[] {
  const stdout = res.stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
  return [
    stdout,
    res.stderr,
    JSON.stringify(res.outputs),
    res.summary,
    ...(gh?.comments.map(c => c.body) ?? [])
  ]
}

/** A written summary, outputs a later step can parse, and not one form of any secret anywhere. */
function expectSafe(res: ActionRun, secrets: string[], gh?: FakeGitHub): void {
  expect(res.summary.length).toBeGreaterThan(0)
  for (const name of ['added', 'removed', 'updated', 'failed'])
    expect(Array.isArray(JSON.parse(res.outputs[name] ?? 'no output'))).toBe(true)
  expect(typeof JSON.parse(res.outputs.plan ?? 'no output')).toBe('object')
  for (const text of emitted(res, gh)) expect(findLeaks(text, secrets)).toEqual([])
}

/** No escape sequence, bidirectional control or other C0/C1 control in what people read. */
function expectCleanText(res: ActionRun, gh?: FakeGitHub): void {
  const [stdout, stderr, , summary, ...comments] = emitted(res, gh)
  // eslint-disable-next-line no-control-regex
  const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
  for (const text of [stdout, stderr, summary, ...comments]) expect(text).not.toMatch(controls)
  for (const a of res.annotations) expect(a.message).not.toMatch(controls)
}

describe('credentials in every form', () => {
  const GH = 'ghs_E2Eleaktoken0123456789abcdefABCDEF'

  it.each([
    ['API v3 token', 'v3'],
    ['API v2 key and secret', 'v2']
  ] as const)(
    'RunCloud echoing the %s in every encoding: scrubbed from everything emitted',
    async (_what, api) => {
      await sim.close()
      const KEY = 'legacy-key-5a6b7c8d9e'
      const SECRET = 'legacy-secret-0f1e2d3c4b'
      sim = await startSimulator({ token: TOKEN, apiKey: KEY, apiSecret: SECRET })
      sid = sim.addServer({ name: 'web-1' }).id
      aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
      repo.cleanup()
      repo = makeRepo([
        {
          'domains.yml': `version: 1\napps:\n  - server: ${sid}\n    app: ${aid}\n    domains: [a.example.com]\n`
        },
        {
          'domains.yml': `version: 1\napps:\n  - server: ${sid}\n    app: ${aid}\n    domains: [a.example.com, b.example.com]\n`
        }
      ])
      sim.seedDomains(sid, aid, ['a.example.com'])
      const secrets = api === 'v3' ? [TOKEN, GH] : [KEY, SECRET, `${KEY}:${SECRET}`, GH]
      const echoed = [
        ...secrets.flatMap(encodings),
        api === 'v3'
          ? `Authorization: Bearer ${TOKEN}`
          : `Authorization: Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`
      ].join(' | ')
      sim.inject({
        method: 'POST',
        times: Infinity,
        fault: {
          status: 422,
          body: JSON.stringify({ message: `rejected ${echoed}`, errors: { name: [`taken by ${echoed}`] } }),
          contentType: 'application/json'
        }
      })
      const res = await runAction({
        workspace: repo.dir,
        eventName: 'push',
        payload: { before: repo.shas[0] },
        githubToken: GH,
        inputs:
          api === 'v3'
            ? { 'api-token': TOKEN, 'api-url': sim.url, mode: 'apply' }
            : { 'api-key': KEY, 'api-secret': SECRET, 'api-url': sim.urlV2, mode: 'apply' }
      })
      expect(res.exitCode).toBe(1)
      const failed = JSON.parse(res.outputs.failed ?? '[]') as { domain: string; error: string }[]
      expect(failed.map(f => f.domain)).toEqual(['b.example.com'])
      expect(failed[0]?.error).toContain('***')
      expectSafe(res, secrets)
    }
  )

  it('a committed domains.yml -> .git/config in a pull request is refused; the job token reaches no comment', async () => {
    const gh = await startFakeGitHub()
    try {
      const header = Buffer.from(`x-access-token:${GH}`).toString('base64')
      // What actions/checkout writes (persist-credentials: true, the default).
      git(repo.dir, 'config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${header}`)
      rmSync(join(repo.dir, 'domains.yml'))
      symlinkSync('.git/config', join(repo.dir, 'domains.yml'))
      git(repo.dir, 'add', '-A')
      git(repo.dir, 'commit', '-q', '-m', 'point the manifest at the checkout credentials')
      const res = await runAction({
        workspace: repo.dir,
        eventName: 'pull_request',
        payload: { number: 7, pull_request: { number: 7, base: { sha: repo.shas[1] } } },
        githubApiUrl: gh.url,
        githubToken: GH,
        inputs: { 'api-token': TOKEN, 'api-url': sim.url }
      })
      expect(res.exitCode).toBe(1)
      const error = res.annotations.find(a => a.level === 'error' && a.properties.file === 'domains.yml')
      expect(error?.message).toMatch(/leads into \.git\//)
      expect(gh.comments).toHaveLength(1)
      expect(gh.comments[0]?.body).toMatch(/leads into \.git\//)
      expect(sim.calls).toBe(0)
      expectSafe(res, [GH], gh)
    } finally {
      await gh.close()
    }
  })

  it('a manifest holding the checkout header and the token in its keys: the YAML errors echo none of it', async () => {
    const gh = await startFakeGitHub()
    try {
      const header = Buffer.from(`x-access-token:${GH}`).toString('base64')
      writeFileSync(
        join(repo.dir, 'domains.yml'),
        `version: 1\napps: []\n"AUTHORIZATION: basic ${header}": 1\n"Bearer ${GH}": 2\n${encodeURIComponent(GH)}: 3\n`
      )
      git(repo.dir, 'commit', '-q', '-am', 'keys')
      const res = await runAction({
        workspace: repo.dir,
        eventName: 'pull_request',
        payload: { number: 8, pull_request: { number: 8, base: { sha: repo.shas[1] } } },
        githubApiUrl: gh.url,
        githubToken: GH,
        inputs: { 'api-url': sim.url }
      })
      expect(res.exitCode).toBe(1)
      expect(res.annotations.filter(a => a.level === 'error' && /unknown key/.test(a.message))).toHaveLength(
        3
      )
      expect(gh.comments).toHaveLength(1)
      expectSafe(res, [GH], gh)
    } finally {
      await gh.close()
    }
  })

  it.each([
    ['a line break', `${TOKEN}\nsecond-line-part`],
    ['a space', `${TOKEN} second-line-part`],
    ['a control character', `${TOKEN}\u0007second-line-part`]
  ])('a token holding %s is a bad input naming it, decided before any request', async (_what, token) => {
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { before: repo.shas[0] },
      inputs: { 'api-token': token, 'api-url': sim.url, mode: 'apply' }
    })
    expect(res.exitCode).toBe(1)
    expect(res.annotations.find(a => a.level === 'error')?.message).toMatch(
      /Input 'api-token' must be visible ASCII characters, without spaces or line breaks/
    )
    expect(sim.calls).toBe(0)
    expectSafe(res, [TOKEN, 'second-line-part'])
  })

  it('the command line: a RUNCLOUD_API_TOKEN with a line break is named, not echoed', async () => {
    const r = await new Promise<{ code: number; out: string }>(done => {
      const child = spawn(
        node24(),
        [join(ROOT, 'bin', 'runcloud-domains.js'), 'plan', '--api-url', sim.url],
        {
          cwd: repo.dir,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: repo.dir,
            RUNCLOUD_API_TOKEN: `${TOKEN}\nsecond-line-part`
          },
          stdio: ['ignore', 'pipe', 'pipe']
        }
      )
      let out = ''
      child.stdout.on('data', (c: Buffer) => (out += c.toString()))
      child.stderr.on('data', (c: Buffer) => (out += c.toString()))
      child.on('close', code => done({ code: code ?? 1, out }))
    })
    expect(r.code).toBe(2)
    expect(r.out).toMatch(/RUNCLOUD_API_TOKEN must be visible ASCII/)
    expect(findLeaks(r.out, [TOKEN, 'second-line-part'])).toEqual([])
    expect(sim.calls).toBe(0)
  })

  it.each([
    `https://user:${TOKEN}@manage.runcloud.io/api/v3`,
    `https://manage.runcloud.io/api/v3?token=${TOKEN}`,
    `https://manage.runcloud.io/api/v3#${TOKEN}`,
    `http://${TOKEN}.example.com/api/v3?x=1`,
    TOKEN
  ])('an api-url carrying a secret is refused without being echoed: %s', async url => {
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { before: repo.shas[0] },
      inputs: { 'api-token': 'another-token-123456', 'api-url': url }
    })
    expect(res.exitCode).toBe(1)
    expect(res.annotations.find(a => a.level === 'error')?.message).toContain("Input 'api-url'")
    expect(sim.calls).toBe(0)
    expectSafe(res, [TOKEN])
  })
})

describe('the manifest file is read as a regular file inside the workspace, or refused', () => {
  it.each([
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path]), /is a FIFO/],
    ['a directory', (path: string) => mkdirSync(path), /is a directory/],
    ['a link to /dev/zero', (path: string) => symlinkSync('/dev/zero', path), /leads outside the workspace/],
    ['a link outside the workspace', (path: string) => symlinkSync('/etc/hostname', path), /leads outside/],
    ['a link to nothing', (path: string) => symlinkSync('missing.yml', path), /symbolic link to nothing/],
    ['a link into .git/', (path: string) => symlinkSync('.git/HEAD', path), /leads into \.git\//]
  ])('%s: refused at once, annotated on the file', async (_what, make, message) => {
    const path = join(repo.dir, 'domains.yml')
    rmSync(path)
    make(path)
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { before: repo.shas[0] },
      inputs: { 'api-token': TOKEN, 'api-url': sim.url }
    })
    expect(res.exitCode).toBe(1)
    const a = res.annotations.find(x => x.level === 'error')
    expect(a?.properties).toMatchObject({ file: 'domains.yml', line: '1', col: '1' })
    expect(a?.message).toMatch(message)
    expect(res.summary).toMatch(message)
    expect(sim.calls).toBe(0)
    expectSafe(res, [TOKEN])
  })

  it('a device inside the workspace is refused without being read', async () => {
    const path = join(repo.dir, 'domains.yml')
    rmSync(path)
    try {
      execFileSync('mknod', [path, 'c', '1', '5'], { stdio: 'ignore' })
    } catch {
      // Not allowed to make a device here: a FIFO stands in as the other kind that must not be read.
      execFileSync('mkfifo', [path])
    }
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { before: repo.shas[0] },
      inputs: { 'api-token': TOKEN, 'api-url': sim.url }
    })
    expect(res.exitCode).toBe(1)
    expect(res.annotations.find(x => x.level === 'error')?.message).toMatch(/is a device|is a FIFO/)
    expectSafe(res, [TOKEN])
  })

  it('a manifest over 1 MiB is an annotation on the file', async () => {
    writeFileSync(join(repo.dir, 'domains.yml'), `version: 1\napps: []\n#${'x'.repeat(2 * 1024 * 1024)}\n`)
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { before: repo.shas[0] },
      inputs: { 'api-token': TOKEN, 'api-url': sim.url }
    })
    expect(res.exitCode).toBe(1)
    const a = res.annotations.find(x => x.level === 'error')
    expect(a?.properties).toMatchObject({ file: 'domains.yml', line: '1' })
    expect(a?.message).toMatch(/the limit is 1 MiB/)
    expectSafe(res, [TOKEN])
  })
})

describe('bounded work on hostile manifests', () => {
  it('a 5,000-entry alias bomb is refused by what it would expand to', async () => {
    const bomb = `x: &x [${Array(50).fill('a.example.com').join(', ')}]\nversion: 1\napps:\n  - server: ${sid}\n    app: ${aid}\n    domains: [${Array(5_000).fill('*x').join(', ')}]\n`
    writeFileSync(join(repo.dir, 'domains.yml'), bomb)
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { before: repo.shas[0] },
      inputs: { 'api-token': TOKEN, 'api-url': sim.url }
    })
    expect(res.exitCode).toBe(1)
    expect(res.annotations.find(a => a.level === 'error')?.message).toMatch(
      /aliases beyond the limit \(50,000 nodes/
    )
    expect(sim.calls).toBe(0)
    expectSafe(res, [TOKEN])
  })

  it('5,000 aliases of one small value are fine: the bound is what they expand to', async () => {
    const names = Array.from({ length: 5_000 }, (_, i) => `      - { name: d${i}.example.com, www: *off }`)
    writeFileSync(
      join(repo.dir, 'domains.yml'),
      `version: 1\ndefaults: { www: &off false }\napps:\n  - server: ${sid}\n    app: ${aid}\n    domains:\n${names.join('\n')}\n`
    )
    const res = await runAction({ workspace: repo.dir, eventName: 'push', payload: { before: repo.shas[0] } })
    expect(res.exitCode).toBe(0)
    expect(JSON.parse(res.outputs.added ?? '[]')).toHaveLength(5_000)
    expectSafe(res, [TOKEN])
  })

  it('a pathological ignore glob against long live names answers at once', async () => {
    const long = `${'a'.repeat(60)}.example.com`
    sim.seedDomains(sid, aid, [long, `b${long}`, `c${long}`, 'a.example.com', 'b.example.com'])
    const glob = `${'*a'.repeat(40)}*z`
    writeFileSync(
      join(repo.dir, 'domains.yml'),
      `version: 1\napps:\n  - server: ${sid}\n    app: ${aid}\n    exclusive: true\n    ignore: ["${glob}"]\n    domains: [a.example.com, b.example.com]\n`
    )
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'schedule',
      inputs: { 'api-token': TOKEN, 'api-url': sim.url, mode: 'drift' }
    })
    // Three unmanaged names in an exclusive app: drift, found in full.
    expect(res.exitCode).toBe(1)
    expect(res.outputs.drift).toBe('true')
    expect(JSON.parse(res.outputs.removed ?? '[]')).toHaveLength(3)
    expectSafe(res, [TOKEN])
  })

  it('80 problems: 50 annotations and one that counts the rest; the summary lists them all', async () => {
    const bad = Array.from({ length: 80 }, (_, i) => `      - bad_${i}.example.com`)
    writeFileSync(
      join(repo.dir, 'domains.yml'),
      `version: 1\napps:\n  - server: ${sid}\n    app: ${aid}\n    domains:\n${bad.join('\n')}\n`
    )
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { before: repo.shas[0] },
      inputs: { 'api-token': TOKEN, 'api-url': sim.url }
    })
    expect(res.exitCode).toBe(1)
    const errors = res.annotations.filter(a => a.level === 'error' && a.properties.file === 'domains.yml')
    expect(errors).toHaveLength(51)
    expect(errors[50]?.message).toBe('30 more problems in domains.yml (see the summary)')
    expect(res.summary.match(/bad&#95;\d+\.example\.com/g)?.length).toBe(80)
    expectSafe(res, [TOKEN])
  })
})

describe('text from outside is shown without control characters', () => {
  it('ANSI escapes and bidirectional overrides in RunCloud names, the manifest and its errors', async () => {
    const gh = await startFakeGitHub()
    try {
      const evil = '\u001b[31mweb\u202e-1\u001b]8;;https://evil.example\u0007x\u001b]8;;\u0007\u009b2J'
      const other = sim.addServer({ name: evil }).id
      sim.addApp(other, { name: `app\u2066\u001b[2K`, primary: 'evil-primary.example.com' })
      writeFileSync(
        join(repo.dir, 'domains.yml'),
        [
          'version: 1',
          'apps:',
          `  - server: ${sid}`,
          `    app: ${aid}`,
          '    label: "main \\e[1;31mRED\\e[0m \\u202Eevil\\u202C"',
          '    domains: [a.example.com, b.example.com]',
          '  - server: "\\e[31mweb\\u202E-1\\e]8;;https://evil.example\\ax\\e]8;;\\a\\x9B2J"',
          '    app: "nope\\e[2J"',
          '    domains: [c.example.com]',
          ''
        ].join('\n')
      )
      const res = await runAction({
        workspace: repo.dir,
        eventName: 'pull_request',
        payload: { number: 9, pull_request: { number: 9, base: { sha: repo.shas[0] } } },
        githubApiUrl: gh.url,
        inputs: { 'api-token': TOKEN, 'api-url': sim.url }
      })
      // The second app names no web app RunCloud has: the plan fails, and says so in clean text.
      expect(res.exitCode).toBe(1)
      expect(res.summary).toMatch(/no web app on server \d+ named/)
      expect(gh.comments).toHaveLength(1)
      expectCleanText(res, gh)
      expectSafe(res, [TOKEN], gh)
    } finally {
      await gh.close()
    }
  })

  it('an unknown key written with escape sequences is annotated without them', async () => {
    writeFileSync(
      join(repo.dir, 'domains.yml'),
      'version: 1\napps: []\n"\\e[2J\\e[1;1H::error::forged\\u202E": 1\n'
    )
    const res = await runAction({
      workspace: repo.dir,
      eventName: 'push',
      payload: { before: repo.shas[0] },
      inputs: { 'api-token': TOKEN, 'api-url': sim.url }
    })
    expect(res.exitCode).toBe(1)
    expect(res.annotations.filter(a => a.level === 'error')).toHaveLength(2)
    expect(res.annotations.find(a => /unknown key/.test(a.message))?.properties.file).toBe('domains.yml')
    expectCleanText(res)
    expectSafe(res, [TOKEN])
  })
})
