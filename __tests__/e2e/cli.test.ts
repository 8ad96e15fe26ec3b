/** The command-line front door, run from its bin script on Node 24 as a user would. */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { node24, ROOT } from '../../test-support/action-runner.js'
import { git, makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { startSimulator, type Simulator } from '../../test-support/simulator/server.js'
import { parseManifest } from '../../src/manifest/parse.js'
import { manifest as manifestText } from '../../test-support/manifest-text.js'

const TOKEN = 'cli-token-abcdef123456'
let sim: Simulator
let repo: TempRepo | undefined
let sid: number
let aid: number

beforeEach(async () => {
  sim = await startSimulator({ token: TOKEN })
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
  sim.seedDomains(sid, aid, ['a.example.com', 'b.example.com'])
  sim.seedDomains(sid, aid, ['c.example.com'], { www: false, redirection: 'none' })
})
afterEach(async () => {
  await sim.close()
  repo?.cleanup()
  repo = undefined
})

function cli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {}
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    const child = spawn(node24(), [join(ROOT, 'bin', 'runcloud-domains.js'), ...args], {
      cwd: opts.cwd ?? ROOT,
      // The DNS check asks a closed loopback port: no test asks a resolver off this machine.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        RUNCLOUD_DNS_SERVERS: '127.0.0.1:9',
        ...(opts.env ?? {})
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', c => (stdout += c))
    child.stderr.on('data', c => (stderr += c))
    child.on('close', code => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

describe('help and usage', () => {
  it.each(['plan', 'apply', 'drift', 'export'])(
    '%s --help describes the command and exits 0',
    async command => {
      const r = await cli([command, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`Usage: runcloud-domains ${command}`))
      expect(r.stdout).toMatch(/^Options:\n {2}--/m)
      expect(r.stdout).toMatch(/RUNCLOUD_API_TOKEN/)
    }
  )
  it('no command prints the overview and exits 2; an unknown one too', async () => {
    const none = await cli([])
    expect(none.code).toBe(2)
    expect(none.stdout).toMatch(/Commands:/)
    expect((await cli(['deploy'])).code).toBe(2)
  })
  it('a bad option value exits 2 naming the option', async () => {
    const r = await cli(['plan', '--concurrency', '0'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Option '--concurrency'/)
  })
  it.each([
    ['plan', '--reconcile'],
    ['plan', '--force'],
    ['apply', '--reconcile'],
    ['export', '--force'],
    ['export', '--manifest']
  ])('%s %s: an option of another command exits 2 naming it', async (command, option) => {
    const r = await cli([command, option])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`'${option}'`)
    expect(r.stderr).toContain(`runcloud-domains ${command} --help`)
  })
  it('apply without a token exits 2 naming RUNCLOUD_API_TOKEN', async () => {
    const r = await cli(['apply'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/RUNCLOUD_API_TOKEN is required/)
  })
})

describe('export, then plan and drift', () => {
  it('writes a valid manifest from live state that plans to no change', async () => {
    const out = await cli(['export', '--server', 'web-1', '--app', 'main', '--api-url', sim.url], {
      env: { RUNCLOUD_API_TOKEN: TOKEN }
    })
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/primary domain left out \(never managed\): "main\.example\.com"/)
    const m = parseManifest(out.stdout, { file: 'domains.yml' })
    expect(m.apps[0]?.domains.map(d => d.name)).toEqual(['a.example.com', 'b.example.com', 'c.example.com'])
    expect(m.apps[0]?.domains[2]).toMatchObject({ www: false, redirection: 'none' })

    repo = makeRepo([{ 'README.md': 'x' }, { 'domains.yml': out.stdout }])
    sim.resetCalls()
    const env = { RUNCLOUD_API_TOKEN: TOKEN }
    const plan = await cli(['plan', '--api-url', sim.url], { cwd: repo.dir, env })
    expect(plan.code).toBe(0)
    expect(plan.stdout).toMatch(/totals: 0 to add, 0 to update, 0 to remove/)
    const drift = await cli(['drift', '--api-url', sim.url], { cwd: repo.dir, env })
    expect(drift.code).toBe(0)
    expect(sim.writes()).toBe(0)
  })
  it('apps given by id are named in the comments and labels too, as with --all', async () => {
    const out = await cli(['export', '--server', String(sid), '--app', String(aid), '--api-url', sim.url], {
      env: { RUNCLOUD_API_TOKEN: TOKEN }
    })
    expect(out.code).toBe(0)
    expect(out.stdout).toContain(`# server "web-1" (${sid}), web app "main" (${aid})`)
    expect(parseManifest(out.stdout, { file: 'x' }).apps[0]).toMatchObject({
      server: sid,
      app: aid,
      label: 'main'
    })
  })
  it('--all exports every app of every server', async () => {
    const s2 = sim.addServer({ name: 'web-2' }).id
    sim.addApp(s2, { name: 'shop', primary: 'shop.example.net' })
    const out = await cli(['export', '--all', '--api-url', sim.url], { env: { RUNCLOUD_API_TOKEN: TOKEN } })
    expect(out.code).toBe(0)
    expect(parseManifest(out.stdout, { file: 'x' }).apps).toHaveLength(2)
  })
})

describe('plan and apply from a working tree', () => {
  it('plain lines when not a terminal, exit codes as the action’s, and apply makes the change', async () => {
    repo = makeRepo([
      {
        'domains.yml': manifestText({ server: sid, app: aid, domains: ['a.example.com'] })
      }
    ])
    writeFileSync(
      join(repo.dir, 'domains.yml'),
      manifestText({ server: sid, app: aid, domains: ['a.example.com', 'z.example.com'] })
    )
    git(repo.dir, 'commit', '-qam', 'add z')
    const env = { RUNCLOUD_API_TOKEN: TOKEN }
    const plan = await cli(['plan', '--api-url', sim.url, '--no-dns-check'], { cwd: repo.dir, env })
    expect(plan.code).toBe(0)
    expect(plan.stdout).toMatch(/^ {4}\+ add z\.example\.com \(new in this change\)$/m)
    expect(plan.stdout + plan.stderr).not.toContain('\u001b[')
    const apply = await cli(['apply', '--api-url', sim.url], { cwd: repo.dir, env })
    expect(apply.code).toBe(0)
    expect(sim.domains(sid, aid).map(d => d.name)).toContain('z.example.com')
    expect(apply.stderr).toMatch(/\[1\/1\] add z\.example\.com … done/)
    writeFileSync(join(repo.dir, 'domains.yml'), 'version: 1\napps:\n  - server: 1\n    domian: []\n')
    const bad = await cli(['plan'], { cwd: repo.dir })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/domains\.yml:4:5: unknown key 'domian'/)
    expect(JSON.stringify([plan, apply, bad])).not.toContain(TOKEN)
  })
})

describe('messages speak of flags and environment variables, not the action’s inputs', () => {
  const manifest = (domains: string[]) => manifestText({ server: sid, app: aid, domains })

  it('a refused token: says it was refused and how to make and set one, never prints it', async () => {
    repo = makeRepo([
      { 'domains.yml': manifest(['a.example.com']) },
      { 'domains.yml': manifest(['z.example.com']) }
    ])
    const wrong = 'wrong-token-0123456789'
    const r = await cli(['plan', '--api-url', sim.url], { cwd: repo.dir, env: { RUNCLOUD_API_TOKEN: wrong } })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/RunCloud refused the API token \(HTTP 401\)/)
    expect(r.stderr).toMatch(
      /Create an API v3 token in RunCloud \(Workspace → Settings → API Management\), set it as RUNCLOUD_API_TOKEN/
    )
    expect(r.stdout + r.stderr).not.toMatch(/pass it as api-token|repository secret/)
    expect(r.stdout).not.toMatch(/0 live/)
    expect(r.stdout + r.stderr).not.toContain(wrong)
  })

  it('drift and safety name --reconcile and --force', async () => {
    const many = Array.from({ length: 10 }, (_, i) => `m${i}.example.com`)
    sim.seedDomains(sid, aid, many)
    const all = ['a.example.com', 'b.example.com', 'c.example.com', ...many]
    repo = makeRepo([{ 'domains.yml': manifest(all) }, { 'domains.yml': manifest(all.slice(0, 8)) }])
    const env = { RUNCLOUD_API_TOKEN: TOKEN }
    const apply = await cli(['apply', '--api-url', sim.url], { cwd: repo.dir, env })
    expect(apply.code).toBe(1)
    expect(apply.stderr).toMatch(/run again with --force\./)
    expect(apply.stdout + apply.stderr).not.toMatch(/force: true/)
    writeFileSync(join(repo.dir, 'domains.yml'), manifest([...all, 'missing.example.com']))
    const drift = await cli(['drift', '--api-url', sim.url], { cwd: repo.dir, env })
    expect(drift.code).toBe(1)
    expect(drift.stderr).toMatch(
      /Drift found: 2 differences between domains\.yml and RunCloud\. Run with --reconcile to fix it\./
    )
    expect(sim.writes()).toBe(0)
  })

  it('a missing manifest points at --manifest', async () => {
    repo = makeRepo([{ 'README.md': 'x' }, { 'README.md': 'y' }])
    const r = await cli(['plan', '--manifest', 'nope.yml'], { cwd: repo.dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/No manifest at nope\.yml: create it, or give its path with --manifest\./)
  })

  it('a --base that names no commit, or no repository at all, exits 2 saying so', async () => {
    repo = makeRepo([{ 'domains.yml': manifest(['a.example.com']) }])
    const bad = await cli(['plan', '--base', 'no-such-ref'], { cwd: repo.dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--base no-such-ref is not a commit in this repository/)
    expect(bad.stderr).not.toMatch(/fetch-depth|actions\/checkout/)
    const dir = mkdtempSync(join(tmpdir(), 'rcd-nogit-'))
    try {
      writeFileSync(join(dir, 'domains.yml'), manifest(['a.example.com']))
      const outside = await cli(['plan'], { cwd: dir })
      expect(outside.code).toBe(2)
      expect(outside.stderr).toMatch(/is not inside a git repository/)
      expect(outside.stderr).not.toMatch(/fetch-depth|actions\/checkout/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the legacy key and secret: the warning names the environment variables', async () => {
    repo = makeRepo([{ 'domains.yml': manifest(['a.example.com']) }])
    const r = await cli(['plan', '--base', 'HEAD'], {
      cwd: repo.dir,
      env: { RUNCLOUD_API_KEY: 'k-123456789', RUNCLOUD_API_SECRET: 's-123456789' }
    })
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(
      /legacy RunCloud API v2 \(RUNCLOUD_API_KEY and RUNCLOUD_API_SECRET\).*set it as RUNCLOUD_API_TOKEN/
    )
    const half = await cli(['plan'], { cwd: repo.dir, env: { RUNCLOUD_API_KEY: 'k-123456789' } })
    expect(half.code).toBe(2)
    expect(half.stderr).toMatch(/RUNCLOUD_API_KEY and RUNCLOUD_API_SECRET go together/)
  })
})
