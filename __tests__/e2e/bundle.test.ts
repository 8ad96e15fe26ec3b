/**
 * The built bundle itself: minified, with source maps that Node applies, so a stack trace printed by
 * the action names the TypeScript sources; and the same behaviour as before for a plain run.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundledPackages, renderLicenses } from '../../scripts/licenses.js'
import { ROOT, runAction } from '../../test-support/action-runner.js'
import { startFakeGitHub } from '../../test-support/fake-github.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { manifest } from '../../test-support/manifest-text.js'
import { startSimulator } from '../../test-support/simulator/server.js'

const DIST = join(ROOT, 'dist')

/**
 * An observer preloaded into the action's process (not a change to it): at exit it writes the Node
 * modules the process loaded, which `loaded()` reads.
 */
function observer(dir: string): { script: string; loaded: () => string[] } {
  const script = join(dir, 'probe.cjs')
  const out = join(dir, 'loaded.json')
  writeFileSync(
    script,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)))\n`
  )
  return { script, loaded: () => JSON.parse(readFileSync(out, 'utf8')) as string[] }
}
const repos: TempRepo[] = []
afterEach(() => {
  while (repos.length) repos.pop()?.cleanup()
})

describe('the bundle in dist/', () => {
  const scripts = readdirSync(DIST).filter(f => f.endsWith('.js'))

  it('every script is minified and has a source map beside it that names the TypeScript sources', () => {
    expect(scripts).toContain('index.js')
    const sources = new Set<string>()
    for (const f of scripts) {
      const text = readFileSync(join(DIST, f), 'utf8')
      // Minified: long lines, none of the bundler's indentation.
      expect(text.split('\n').length).toBeLessThan(text.length / 1000 + 20)
      expect(text.trimEnd().endsWith(`//# sourceMappingURL=${f}.map`)).toBe(true)
      const map = JSON.parse(readFileSync(join(DIST, `${f}.map`), 'utf8')) as { sources: string[] }
      for (const s of map.sources) sources.add(s)
    }
    expect(sources).toContain('../src/main.ts')
    expect(sources).toContain('../src/manifest/parse.ts')
  })

  it('licenses.txt gives the licence of every package whose code is bundled, and is fresh', () => {
    const text = readFileSync(join(DIST, 'licenses.txt'), 'utf8')
    const listed = new Set(text.match(/^(@[^/\s]+\/)?[^@\s]+(?=@\d[^\s]*$)/gm))
    // Read from the maps here too: a package named by any bundled source must be listed.
    const named = new Set<string>()
    for (const f of [...scripts.map(f => join(DIST, f)), join(DIST, 'cli', 'index.js')]) {
      const { sources } = JSON.parse(readFileSync(`${f}.map`, 'utf8')) as { sources: string[] }
      for (const s of sources) {
        const parts = s.split('node_modules/').pop()?.split('/') ?? []
        if (s.includes('node_modules/'))
          named.add(parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string))
      }
    }
    for (const name of ['@actions/core', 'yaml', 'zod', 'undici', '@octokit/core'])
      expect(named).toContain(name)
    expect([...named].filter(n => !listed.has(n))).toEqual([])
    expect(bundledPackages().length).toBe(listed.size)
    expect(text).toMatch(/^yaml@[\d.]+\nISC\n/m)
    expect(renderLicenses()).toBe(text)
  })

  it("an unexpected error's stack, shown with debug logging, points into src/*.ts", async () => {
    const r = makeRepo([
      { 'domains.yml': manifest({ server: 1, app: 2, domains: ['a.example.com'] }) },
      { 'README.md': 'x' }
    ])
    repos.push(r)
    // Outputs that cannot be written escape run(): the last line of defence reports them.
    const run = await runAction({
      workspace: r.dir,
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: r.shas[0] } } },
      inputs: { comment: 'false' },
      env: { GITHUB_OUTPUT: join(r.dir, 'no-such-folder', 'output') }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/^::error::Unexpected error: Missing file/m)
    const debug = run.stdout
      .split('\n')
      .filter(l => l.startsWith('::debug::'))
      .join('\n')
    expect(debug).toMatch(/src\/main\.ts:\d+:\d+/)
    expect(debug).not.toMatch(/dist\/\d*\.?index\.js:\d+/)
  })

  it('an offline plan runs with dist/index.js alone: the RunCloud client and Octokit are loaded only when called', async () => {
    expect(scripts.length).toBeGreaterThan(1)
    const alone = mkdtempSync(join(tmpdir(), 'rcd-alone-'))
    try {
      for (const f of ['index.js', 'package.json']) copyFileSync(join(DIST, f), join(alone, f))
      const r = makeRepo([
        { 'domains.yml': manifest({ server: 1, app: 2, domains: ['a.example.com'] }) },
        { 'domains.yml': manifest({ server: 1, app: 2, domains: ['a.example.com', 'b.example.com'] }) }
      ])
      repos.push(r)
      const run = await runAction({
        entry: join(alone, 'index.js'),
        workspace: r.dir,
        eventName: 'pull_request',
        payload: { pull_request: { base: { sha: r.shas[0] } } },
        inputs: { comment: 'false' }
      })
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(JSON.parse(run.outputs.added ?? '[]')).toEqual(['b.example.com'])
    } finally {
      rmSync(alone, { recursive: true, force: true })
    }
  })

  it("a plan that calls only GitHub runs without undici, neither the bundled one (loaded only for RunCloud or behind a proxy) nor Node's own", async () => {
    const undiciChunks = scripts.filter(f =>
      readFileSync(join(DIST, f), 'utf8').includes('when HTTP Tunneling')
    )
    expect(undiciChunks).toHaveLength(1)
    expect(undiciChunks).not.toContain('index.js')
    const without = mkdtempSync(join(tmpdir(), 'rcd-no-undici-'))
    const gh = await startFakeGitHub()
    const probe = observer(without)
    try {
      for (const f of [...scripts.filter(f => !undiciChunks.includes(f)), 'package.json'])
        copyFileSync(join(DIST, f), join(without, f))
      const r = makeRepo([
        { 'domains.yml': manifest({ server: 1, app: 2, domains: ['a.example.com'] }) },
        { 'domains.yml': manifest({ server: 1, app: 2, domains: ['a.example.com', 'b.example.com'] }) }
      ])
      repos.push(r)
      const run = await runAction({
        entry: join(without, 'index.js'),
        workspace: r.dir,
        eventName: 'pull_request',
        githubApiUrl: gh.url,
        payload: { number: 3, pull_request: { number: 3, base: { sha: r.shas[0] } } },
        env: { NODE_OPTIONS: `--require=${probe.script}` }
      })
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(probe.loaded().filter(m => /undici/.test(m))).toEqual([])
      // The record was looked up and the comment written, through Node's http module.
      expect(gh.requests.some(q => q.path.includes('/deployments'))).toBe(true)
      expect(gh.comments.map(c => c.issue)).toEqual([3])
      expect(
        run.annotations.filter(a => a.level === 'warning' && /GitHub|comment|record/i.test(a.message))
      ).toEqual([])
      expect(JSON.parse(run.outputs.added ?? '[]')).toEqual(['b.example.com'])
    } finally {
      await gh.close()
      rmSync(without, { recursive: true, force: true })
    }
  })

  it("a run that calls RunCloud and GitHub loads one undici, the bundled one RunCloud's calls go through, never Node's own as well", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcd-stack-'))
    const probe = observer(dir)
    const gh = await startFakeGitHub()
    const sim = await startSimulator({ token: 'stack-token' })
    try {
      const sid = sim.addServer({ name: 'web-1' }).id
      const aid = sim.addApp(sid, { name: 'main', primary: 'primary.example.com' }).id
      const r = makeRepo([
        { 'domains.yml': manifest({ server: sid, app: aid, domains: [] }) },
        { 'domains.yml': manifest({ server: sid, app: aid, domains: ['b.example.com'] }) }
      ])
      repos.push(r)
      const run = await runAction({
        workspace: r.dir,
        eventName: 'pull_request',
        githubApiUrl: gh.url,
        payload: { number: 3, pull_request: { number: 3, base: { sha: r.shas[0] } } },
        inputs: { 'api-token': 'stack-token', 'api-url': sim.url },
        env: { NODE_OPTIONS: `--require=${probe.script}` }
      })
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      // Both APIs were called: the record and the comment on GitHub, the live domains on RunCloud.
      expect(gh.requests.some(q => q.path.includes('/deployments'))).toBe(true)
      expect(gh.comments.map(c => c.issue)).toEqual([3])
      expect(sim.callLog.length).toBeGreaterThan(0)
      const modules = probe.loaded()
      expect(modules).toContain('NativeModule net')
      expect(modules.filter(m => /undici/.test(m))).toEqual([])
    } finally {
      await gh.close()
      await sim.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
