import { applyPlan } from '../../src/apply/apply.js'
import { BufferLogger } from '../../src/logger.js'
import type { AppPlan, Change, Plan } from '../../src/plan/model.js'
import { appPlan as factoryAppPlan, plan as factoryPlan } from '../../test-support/plan-factory.js'
import type {
  Certificate,
  DomainSettings,
  LiveDomain,
  RunCloudApi,
  SslMode,
  WriteOutcome
} from '../../src/runcloud/types.js'

/** A stub RunCloud that records the order of calls; unit tests of the applier only. */
class StubApi implements RunCloudApi {
  calls = 0
  legacy = false
  log: string[] = []
  failAdd = new Set<string>()
  sslMode: SslMode = { advanced: false, autoSsl: false }
  basicCert: Certificate | undefined = { id: 7 }
  domainCerts = new Map<number, Certificate>()
  failRedeploy = false
  private id = 1000
  private rec(s: string): void {
    this.calls++
    this.log.push(s)
  }
  async ping() {}
  async resolveServer(s: number | string) {
    return Number(s)
  }
  async resolveApp(_s: number, a: number | string) {
    return Number(a)
  }
  async listServers() {
    return []
  }
  async listApps() {
    return []
  }
  async getServer(id: number) {
    return { id, name: 'web-1', ipAddress: '203.0.113.10' }
  }
  async listDomains(): Promise<LiveDomain[]> {
    this.rec('list')
    return []
  }
  async getDomain(): Promise<LiveDomain | undefined> {
    return undefined
  }
  async addDomain(_s: number, _a: number, name: string, settings: DomainSettings): Promise<WriteOutcome> {
    this.rec(`add ${name}`)
    if (this.failAdd.has(name)) throw new Error(`RunCloud answered 422: ${name} is invalid`)
    return { status: 'done', domain: { id: this.id++, name, type: 'alias', ...settings } }
  }
  async updateDomain(_s: number, _a: number, d: LiveDomain): Promise<WriteOutcome> {
    this.rec(`update ${d.name}`)
    return { status: 'done' }
  }
  async removeDomain(_s: number, _a: number, d: LiveDomain): Promise<WriteOutcome> {
    this.rec(`remove ${d.name}`)
    return { status: d.name.startsWith('gone') ? 'noop' : 'done' }
  }
  async getSslMode() {
    this.rec('ssl mode')
    return this.sslMode
  }
  async getBasicCertificate() {
    this.rec('basic cert')
    return this.basicCert
  }
  async redeployBasicCertificate(_s: number, _a: number, id: number) {
    this.rec(`redeploy basic ${id}`)
    if (this.failRedeploy) throw new Error('RunCloud answered 422: challenge failed')
  }
  async getDomainCertificate(_s: number, _a: number, id: number) {
    this.rec(`domain cert ${id}`)
    return this.domainCerts.get(id)
  }
  async redeployDomainCertificate(_s: number, _a: number, id: number, sslId: number) {
    this.rec(`redeploy domain ${id} ${sslId}`)
  }
  async installDomainCertificate(_s: number, _a: number, id: number) {
    this.rec(`install domain ${id}`)
  }
}

const liveD = (name: string, id = 1): LiveDomain => ({
  id,
  name,
  type: 'alias',
  www: true,
  redirection: 'non-www'
})
const settings = { www: true, redirection: 'non-www' as const }

/** A resolved app whose plan wants an SSL redeploy, unless told otherwise. */
const appPlan = (changes: Change[], extra: Partial<AppPlan> = {}): AppPlan =>
  factoryAppPlan(changes, {
    serverId: 1,
    appId: 2,
    ssl: { policy: 'redeploy', wanted: true, why: 'domains added to the app' },
    ...extra
  })
const plan = (...apps: AppPlan[]): Plan => factoryPlan(apps, { mode: 'apply' })

describe('applyPlan', () => {
  it('adds and updates, then removes, then redeploys SSL once', async () => {
    const api = new StubApi()
    const p = plan(
      appPlan([
        { action: 'remove', domain: 'old.com', reason: 'removed', live: liveD('old.com') },
        { action: 'add', domain: 'new.com', reason: 'new', settings },
        {
          action: 'update',
          domain: 'upd.com',
          reason: 'settings',
          settings,
          from: settings,
          live: liveD('upd.com')
        }
      ])
    )
    const out = await applyPlan(p, { api, log: new BufferLogger(), concurrency: 4, sslRedeploy: 'auto' })
    expect(api.log).toEqual([
      'add new.com',
      'update upd.com',
      'remove old.com',
      'ssl mode',
      'basic cert',
      'redeploy basic 7'
    ])
    expect(out.apps[0]?.changes.map(r => r?.status)).toEqual(['done', 'done', 'done'])
    expect(out.apps[0]?.ssl?.status).toBe('done')
  })

  it("RunCloud's text in an outcome stays on its log line (a line break could start a workflow command)", async () => {
    const injected = 'refused\n::error file=x.yml,line=1::forged\r\n::add-mask::everything'
    class Hostile extends StubApi {
      override async addDomain(): Promise<WriteOutcome> {
        throw new Error(injected)
      }
      override async redeployBasicCertificate(): Promise<void> {
        throw new Error(injected)
      }
    }
    const p = plan(appPlan([{ action: 'add', domain: 'bad.com', reason: 'new', settings }]))
    const log = new BufferLogger()
    const out = await applyPlan(p, { api: new Hostile(), log, concurrency: 1, sslRedeploy: 'always' })
    const lines = log.lines.filter(l => l.level === 'info' || l.level === 'progress').map(l => l.message)
    expect(lines.find(l => l.startsWith('[1/1] add bad.com … failed: refused'))).toBeDefined()
    expect(lines.find(l => l.startsWith('ssl … failed'))).toBeDefined()
    for (const l of lines) expect(l).not.toMatch(/[\r\n]/)
    // The results keep the whole text, for the summary and the outputs.
    expect(out.apps[0]?.changes[0]?.error).toBe(injected)
  })

  it('under auto, an app whose every add failed gets no redeploy; one add that landed is enough', async () => {
    class Refusing extends StubApi {
      override async addDomain(
        serverId: number,
        appId: number,
        name: string,
        s: DomainSettings
      ): Promise<WriteOutcome> {
        if (name.startsWith('bad')) throw new Error('refused')
        return super.addDomain(serverId, appId, name, s)
      }
    }
    const failing = new Refusing()
    const p = plan(
      appPlan([
        { action: 'add', domain: 'bad1.com', reason: 'new', settings },
        { action: 'add', domain: 'bad2.com', reason: 'new', settings }
      ])
    )
    const out = await applyPlan(p, {
      api: failing,
      log: new BufferLogger(),
      concurrency: 1,
      sslRedeploy: 'auto'
    })
    expect(out.apps[0]?.ssl).toEqual({
      status: 'skipped',
      detail: 'every add failed, so no certificate was redeployed'
    })
    expect(failing.log.filter(l => l.startsWith('redeploy'))).toEqual([])
    const mixed = new Refusing()
    const q = plan(
      appPlan([
        { action: 'add', domain: 'bad1.com', reason: 'new', settings },
        { action: 'add', domain: 'good.com', reason: 'new', settings }
      ])
    )
    const out_q = await applyPlan(q, {
      api: mixed,
      log: new BufferLogger(),
      concurrency: 1,
      sslRedeploy: 'auto'
    })
    expect(out_q.apps[0]?.ssl?.status).toBe('done')
    expect(mixed.log.filter(l => l.startsWith('redeploy'))).toEqual(['redeploy basic 7'])
  })

  it('lets each operation fail on its own and reports already-gone removals as no-ops', async () => {
    const api = new StubApi()
    api.failAdd.add('bad.com')
    const p = plan(
      appPlan([
        { action: 'add', domain: 'bad.com', reason: 'new', settings },
        { action: 'add', domain: 'good.com', reason: 'new', settings },
        { action: 'remove', domain: 'gone.com', reason: 'removed', live: liveD('gone.com') }
      ])
    )
    const log = new BufferLogger()
    const out = await applyPlan(p, { api, log, concurrency: 1, sslRedeploy: 'auto' })
    const byName = Object.fromEntries(p.apps[0]!.changes.map((c, i) => [c.domain, out.apps[0]?.changes[i]]))
    expect(byName['bad.com']).toMatchObject({ status: 'failed', error: expect.stringContaining('422') })
    expect(byName['good.com']).toMatchObject({ status: 'done' })
    expect(byName['gone.com']).toEqual({ status: 'noop' })
    expect(log.text()).toMatch(/\[1\/3\] add bad\.com … failed/)
    expect(log.text()).toMatch(/\[3\/3\] remove gone\.com … already gone/)
  })

  it('says plainly that only the certificate failed, with the DNS hint', async () => {
    const api = new StubApi()
    api.failRedeploy = true
    const p = plan(appPlan([{ action: 'add', domain: 'a.com', reason: 'new', settings }]))
    const out = await applyPlan(p, { api, log: new BufferLogger(), concurrency: 1, sslRedeploy: 'auto' })
    expect(out.apps[0]?.changes[0]?.status).toBe('done')
    expect(out.apps[0]?.ssl?.status).toBe('failed')
    expect(out.apps[0]?.ssl?.detail).toMatch(/domains were changed; only the certificate failed/)
    expect(out.apps[0]?.ssl?.detail).toMatch(/DNS/)
  })

  it('warns, without failing, when no certificate is installed', async () => {
    const api = new StubApi()
    api.basicCert = undefined
    const p = plan(appPlan([{ action: 'add', domain: 'a.com', reason: 'new', settings }]))
    const log = new BufferLogger()
    const out = await applyPlan(p, { api, log, concurrency: 1, sslRedeploy: 'auto' })
    expect(out.apps[0]?.ssl?.status).toBe('none-installed')
    expect(log.lines.some(l => l.level === 'warning' && /No SSL certificate/.test(l.message))).toBe(true)
  })

  it('advanced SSL: redeploys each added domain’s certificate, installs where none and AutoSSL is off', async () => {
    const api = new StubApi()
    api.sslMode = { advanced: true, autoSsl: false }
    api.domainCerts.set(1000, { id: 55 })
    const p = plan(
      appPlan([
        { action: 'add', domain: 'a.com', reason: 'new', settings },
        { action: 'add', domain: 'b.com', reason: 'new', settings }
      ])
    )
    await applyPlan(p, { api, log: new BufferLogger(), concurrency: 1, sslRedeploy: 'auto' })
    expect(api.log.filter(l => /redeploy|install/.test(l))).toEqual([
      'redeploy domain 1000 55',
      'install domain 1001'
    ])
  })

  it('advanced SSL with auto: only the declared-new domains, never every domain of the app', async () => {
    const api = new StubApi()
    api.sslMode = { advanced: true, autoSsl: false }
    api.domainCerts.set(41, { id: 66 })
    api.failAdd.add('bad.com')
    const pre = { id: 41, name: 'pre.com', type: 'alias', www: true, redirection: 'non-www' as const }
    const p = plan(
      appPlan([{ action: 'add', domain: 'bad.com', reason: 'new', settings }], {
        ssl: { policy: 'redeploy', wanted: true, why: 'domains added to the app', declaredLive: [pre] }
      })
    )
    await applyPlan(p, { api, log: new BufferLogger(), concurrency: 1, sslRedeploy: 'auto' })
    expect(api.log.filter(l => /list|redeploy|install/.test(l))).toEqual(['redeploy domain 41 66'])

    // The only added domain failed: nothing to redeploy, and no listing of the app's domains.
    const api2 = new StubApi()
    api2.sslMode = { advanced: true, autoSsl: false }
    api2.failAdd.add('bad.com')
    const p2 = plan(
      appPlan([{ action: 'add', domain: 'bad.com', reason: 'new', settings }], {
        ssl: { policy: 'redeploy', wanted: true, why: 'domains added to the app' }
      })
    )
    const out_p2 = await applyPlan(p2, {
      api: api2,
      log: new BufferLogger(),
      concurrency: 1,
      sslRedeploy: 'auto'
    })
    expect(api2.log.filter(l => /list|redeploy|install/.test(l))).toEqual([])
    expect(out_p2.apps[0]?.ssl?.status).toBe('skipped')
  })

  it('skips SSL for ssl: none, and for ssl-redeploy never even when the run added domains', async () => {
    for (const [policy, input] of [
      ['none', 'auto'],
      ['redeploy', 'never']
    ] as const) {
      const api = new StubApi()
      const p = plan(
        appPlan([{ action: 'add', domain: 'a.com', reason: 'new', settings }], {
          ssl: { policy, wanted: false, why: 'x' }
        })
      )
      await applyPlan(p, { api, log: new BufferLogger(), concurrency: 1, sslRedeploy: input })
      expect(api.log).toEqual(['add a.com'])
    }
  })

  it('redeploys after a drift reconcile added domains (auto)', async () => {
    const api = new StubApi()
    const p = plan(
      appPlan([{ action: 'add', domain: 'a.com', reason: 'missing', settings }], {
        ssl: { policy: 'redeploy', wanted: false, why: 'after domains are added by reconcile' }
      })
    )
    await applyPlan(p, { api, log: new BufferLogger(), concurrency: 1, sslRedeploy: 'auto' })
    expect(api.log).toContain('redeploy basic 7')
  })

  it('runs apps in parallel and keeps each app’s lines together in one group', async () => {
    const api = new StubApi()
    const apps = [1, 2, 3].map(n =>
      appPlan(
        [
          { action: 'add', domain: `a${n}.com`, reason: 'new', settings },
          { action: 'add', domain: `b${n}.com`, reason: 'new', settings }
        ],
        {
          key: `1/${n}`,
          app: n,
          appId: n,
          ssl: { policy: 'none', wanted: false, why: '' }
        }
      )
    )
    const log = new BufferLogger()
    await applyPlan(plan(...apps), { api, log, concurrency: 3, sslRedeploy: 'auto' })
    const lines = log.lines.map(l => l.message)
    for (const n of [1, 2, 3]) {
      const start = lines.findIndex(l => l.includes(`app ${n}:`))
      expect(lines[start + 1]).toMatch(new RegExp(`add a${n}\\.com`))
      expect(lines[start + 2]).toMatch(new RegExp(`add b${n}\\.com`))
    }
  })
})
