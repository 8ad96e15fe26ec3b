/**
 * The RunCloud endpoints the action uses (docs/runcloud-api.md), over the transport (pacing,
 * retries, timeouts, write confirmation) and the pager (every page of a list).
 */
import { domainToASCII } from 'node:url'
import type { Redirection } from '../manifest/types.js'
import { RunCloudError, UnansweredError } from './errors.js'
import { listAll } from './paging.js'
import { createTransport, describeAnswer, type Answer } from './transport.js'
import type {
  Certificate,
  ClientOptions,
  DomainSettings,
  LiveDomain,
  RunCloudApi,
  SslMode,
  WriteOutcome
} from './types.js'

/** The documented body of an advanced-SSL install (docs/runcloud-api.md). */
const INSTALL_BODY = {
  provider: 'letsencrypt',
  authorizationMethod: 'http-01',
  environment: 'live',
  enableHttp: false,
  enableHsts: false,
  advancedSSL: true,
  autoSSL: false
}

const REDIRECTIONS: readonly Redirection[] = ['none', 'www', 'non-www']
const NEEDS = '"id" and "name"'

function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true'
}

function idOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

function toLiveDomain(raw: unknown): LiveDomain | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined
  const o = raw as Record<string, unknown>
  const id = idOf(o.id)
  if (typeof o.name !== 'string' || id === undefined) return undefined
  const redirection = REDIRECTIONS.find(r => r === o.redirection) ?? 'none'
  // Compared with the manifest's ASCII names: a name RunCloud kept in its Unicode form still matches.
  const lower = o.name.trim().toLowerCase().replace(/\.$/, '')
  const domain: LiveDomain = {
    id,
    name: (/[^ -~]/.test(lower) && domainToASCII(lower)) || lower,
    www: truthy(o.www),
    redirection
  }
  if (typeof o.type === 'string' && o.type !== '') domain.type = o.type
  return domain
}

const named = (raw: unknown): { id: number; name: string } | undefined => {
  if (!raw || typeof raw !== 'object') return undefined
  const o = raw as { id?: unknown; name?: unknown }
  const id = idOf(o.id)
  return typeof o.name === 'string' && id !== undefined ? { id, name: o.name } : undefined
}

/** A server list item: its id and name, and its address when the item carries one. */
const serverItem = (raw: unknown): { id: number; name: string; ipAddress?: string } | undefined => {
  const item = named(raw)
  if (!item) return undefined
  const ip = (raw as { ipAddress?: unknown }).ipAddress
  return typeof ip === 'string' && ip.trim() ? { ...item, ipAddress: ip.trim() } : item
}

function certificateOf(body: unknown): Certificate | undefined {
  if (!body || typeof body !== 'object') return undefined
  const o = body as Record<string, unknown>
  const inner =
    o.data && typeof o.data === 'object' && !Array.isArray(o.data) ? (o.data as Record<string, unknown>) : o
  const id = idOf(inner.id)
  return id !== undefined && id > 0 ? { id } : undefined
}

const hasMessage = (body: unknown): boolean =>
  !!body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string'
/** 200 (or 201) and a JSON object: what RunCloud answers a write it carried out. */
const okObject = (a: Answer): boolean =>
  (a.status === 200 || a.status === 201) &&
  a.json &&
  !!a.body &&
  typeof a.body === 'object' &&
  !Array.isArray(a.body)

const id = (n: number): string => {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RunCloudError(`invalid id ${String(n)}: ids must be integers`)
  return String(n)
}

export function createClient(options: ClientOptions): RunCloudApi {
  const t = createTransport(options)
  const fail = t.fail.bind(t)
  const app = (serverId: number, appId: number) => `/servers/${id(serverId)}/webapps/${id(appId)}`

  function pickByName(
    items: { id: number; name: string }[],
    name: string,
    what: { one: string; many: string }
  ): number {
    const exact = items.filter(i => i.name === name)
    const found = exact.length ? exact : items.filter(i => i.name.toLowerCase() === name.toLowerCase())
    if (found.length === 1) return (found[0] as { id: number }).id
    if (found.length > 1)
      throw fail(
        `${found.length} ${what.many} are named "${name}" (ids ${found.map(f => f.id).join(', ')}); write the id instead`
      )
    throw fail(
      `no ${what.one} named "${name}" on RunCloud${
        items.length
          ? ` (the search found: ${items
              .slice(0, 5)
              .map(i => i.name)
              .join(', ')})`
          : ''
      }; check the name or write the id`
    )
  }

  async function listDomains(serverId: number, appId: number): Promise<LiveDomain[]> {
    try {
      return await listAll(t, `${app(serverId, appId)}/domains`, toLiveDomain, NEEDS)
    } catch (e) {
      if (e instanceof RunCloudError && e.status === 404)
        throw fail(`server ${serverId} / web app ${appId} was not found on RunCloud (HTTP 404)`, 404)
      throw e
    }
  }

  const find = async (serverId: number, appId: number, name: string) =>
    (await listDomains(serverId, appId)).find(d => d.name === name)

  async function getDomain(
    serverId: number,
    appId: number,
    domainId: number
  ): Promise<LiveDomain | undefined> {
    const path = `${app(serverId, appId)}/domains/${id(domainId)}`
    let answer: Answer
    try {
      answer = await t.send('GET', path)
    } catch (e) {
      if (e instanceof RunCloudError && e.status === 404) return undefined
      throw e
    }
    const domain = toLiveDomain(answer.body)
    if (!domain)
      throw fail(
        `RunCloud answered GET ${path} with ${describeAnswer(answer, t.secrets)}, not a domain (${NEEDS})`
      )
    return domain
  }

  /** A certificate, or undefined for "none": a 200 without an id, or a 404 / 400 (each endpoint has its style). */
  async function certificate(path: string): Promise<Certificate | undefined> {
    try {
      return certificateOf((await t.send('GET', path)).body)
    } catch (e) {
      if (
        e instanceof RunCloudError &&
        !(e instanceof UnansweredError) &&
        (e.status === 404 || e.status === 400)
      )
        return undefined
      throw e
    }
  }

  /**
   * A redeploy cannot be read back (the certificate looks the same before and after), so it is
   * re-sent only where RunCloud said it did not process it (429, 502, 503, 504), and once after a
   * timeout or reset; anything unclear beyond that is reported, never re-sent blind.
   */
  async function redeploy(path: string, what: string): Promise<void> {
    let answer: Answer
    try {
      answer = await t.send('PUT', path, { kind: 'idempotent' })
    } catch (e) {
      if (e instanceof UnansweredError)
        throw fail(
          `redeploying ${what} got no clear answer (${e.message.replace(/^PUT \S+: /, '')}); it may or may not have happened, and it was not sent again (each redeploy asks Let's Encrypt for a certificate, which limits duplicates). Check SSL/TLS of the web app in RunCloud, or run again.`,
          e.status
        )
      throw e
    }
    if (!okObject(answer))
      throw fail(
        `redeploying ${what} is not confirmed: RunCloud answered ${describeAnswer(answer, t.secrets)}, where a redeploy answers HTTP 200 with a JSON body. Check SSL/TLS of the web app in RunCloud.`,
        answer.status
      )
  }

  /** Servers found by name, with what their list item said (the DNS check reads the address). */
  const servers = new Map<number, { id: number; name: string; ipAddress?: string }>()
  const resolving = new Map<string, Promise<number>>()

  return {
    get calls() {
      return t.calls
    },
    legacy: t.legacy,
    async ping() {
      await t.send('GET', '/ping')
    },
    async listServers() {
      return listAll(t, '/servers', named, NEEDS)
    },
    async listApps(serverId) {
      return listAll(t, `/servers/${id(serverId)}/webapps`, named, NEEDS)
    },
    async getServer(serverId) {
      // A server found by name came with its address in the list: no second read.
      const listed = servers.get(serverId)
      if (listed?.ipAddress) return listed
      const o = (await t.send('GET', `/servers/${id(serverId)}`)).body as Record<string, unknown> | undefined
      const ip = o && typeof o.ipAddress === 'string' ? o.ipAddress.trim() : undefined
      return {
        id: serverId,
        name: typeof o?.name === 'string' ? o.name : '',
        ...(ip ? { ipAddress: ip } : {})
      }
    },
    resolveServer(server) {
      if (typeof server === 'number') return Promise.resolve(server)
      // Apps on one server resolve it once, however many ask at the same time.
      let found = resolving.get(server)
      if (!found) {
        found = listAll(t, '/servers', serverItem, NEEDS, { search: server }).then(items => {
          const id = pickByName(items, server, { one: 'server', many: 'servers' })
          const item = items.find(i => i.id === id)
          if (item) servers.set(id, item)
          return id
        })
        resolving.set(server, found)
      }
      return found
    },
    async resolveApp(serverId, webApp) {
      if (typeof webApp === 'number') return webApp
      try {
        return pickByName(
          await listAll(t, `/servers/${id(serverId)}/webapps`, named, NEEDS, { search: webApp }),
          webApp,
          { one: `web app on server ${serverId}`, many: `web apps on server ${serverId}` }
        )
      } catch (e) {
        if (e instanceof RunCloudError && e.status === 404)
          throw fail(`server ${serverId} was not found on RunCloud (HTTP 404)`, 404)
        throw e
      }
    },
    listDomains,
    getDomain,

    async addDomain(serverId, appId, name, settings): Promise<WriteOutcome> {
      const readBack = async (): Promise<WriteOutcome | undefined> => {
        const live = await find(serverId, appId, name)
        return live ? { status: 'done', domain: live } : undefined
      }
      const { value, detail } = await t.write<WriteOutcome>({
        method: 'POST',
        path: `${app(serverId, appId)}/domains`,
        body: { name, type: 'alias', www: settings.www, redirection: settings.redirection },
        what: `adding ${name}`,
        confirm: a => {
          const domain = okObject(a) ? toLiveDomain(a.body) : undefined
          return domain?.name === name ? { status: 'done', domain } : undefined
        },
        readBack,
        refused: async e => {
          if (e.status !== 422) return undefined
          const live = await find(serverId, appId, name)
          if (live) return { status: 'noop', domain: live, detail: 'already live' }
          if (e.fields?.name)
            throw fail(
              `${e.message.replace(/\.$/, '')}. ${name} is not on server ${serverId} / web app ${appId}: if RunCloud says it is taken, another web app on that server holds it; remove it there first`,
              422,
              e.fields
            )
          return undefined
        }
      })
      return detail ? { ...value, detail } : value
    },

    async updateDomain(serverId, appId, domain, settings: DomainSettings): Promise<WriteOutcome> {
      const path = `${app(serverId, appId)}/domains/${id(domain.id)}`
      const matches = (d: LiveDomain) => d.www === settings.www && d.redirection === settings.redirection
      const { value, detail } = await t.write<WriteOutcome>({
        method: 'PATCH',
        path: `${path}/meta`,
        // The live type as it is: an update never turns a primary or a redirect into an alias.
        body: {
          ...(domain.type ? { type: domain.type } : {}),
          www: settings.www,
          redirection: settings.redirection
        },
        what: `changing ${domain.name}`,
        confirm: a => {
          if (!okObject(a)) return undefined
          const shown = toLiveDomain(a.body)
          // Another domain's object (or this one's with other settings) shows nothing about this change.
          if (shown)
            return shown.id === domain.id && matches(shown) ? { status: 'done', domain: shown } : undefined
          // RunCloud answers a settings change with a message (docs/runcloud-api.md).
          return a.status === 200 && hasMessage(a.body)
            ? { status: 'done', domain: { ...domain, ...settings } }
            : undefined
        },
        readBack: async () => {
          const live = await getDomain(serverId, appId, domain.id)
          if (!live) throw fail(`${domain.name} is no longer on the web app`)
          return matches(live) ? { status: 'done', domain: live } : undefined
        },
        refused: e => {
          if (e.status === 404) throw fail(`${domain.name} is no longer on the web app (HTTP 404)`, 404)
          return Promise.resolve(undefined)
        }
      })
      return detail ? { ...value, detail } : value
    },

    async removeDomain(serverId, appId, domain): Promise<WriteOutcome> {
      const { value, detail } = await t.write<WriteOutcome>({
        method: 'DELETE',
        path: `${app(serverId, appId)}/domains/${id(domain.id)}`,
        what: `removing ${domain.name}`,
        // RunCloud answers with the deleted domain.
        confirm: a =>
          okObject(a) && toLiveDomain(a.body)?.id === domain.id ? { status: 'done' } : undefined,
        readBack: async () =>
          (await getDomain(serverId, appId, domain.id)) === undefined ? { status: 'done' } : undefined,
        refused: e =>
          Promise.resolve(e.status === 404 ? { status: 'noop', detail: 'already gone' } : undefined)
      })
      return detail && !value.detail ? { ...value, detail } : value
    },

    async getSslMode(serverId, appId): Promise<SslMode> {
      let body: unknown
      try {
        body = (await t.send('GET', `${app(serverId, appId)}/ssl/advanced`)).body
      } catch (e) {
        if (!(e instanceof RunCloudError && !(e instanceof UnansweredError) && e.status === 404)) throw e
      }
      const raw = body && typeof body === 'object' ? (body as Record<string, unknown>) : {}
      const o = raw.data && typeof raw.data === 'object' ? (raw.data as Record<string, unknown>) : raw
      return {
        advanced: truthy(o.advancedSSL ?? o.advanced_ssl ?? o.advancedSsl ?? o.isAdvancedSSL),
        autoSsl: truthy(o.autoSSL ?? o.auto_ssl ?? o.autoSsl ?? o.AutoSSL)
      }
    },
    async getBasicCertificate(serverId, appId) {
      return certificate(`${app(serverId, appId)}/ssl`)
    },
    async redeployBasicCertificate(serverId, appId, sslId) {
      await redeploy(`${app(serverId, appId)}/ssl/${id(sslId)}`, `the certificate ${sslId}`)
    },
    async getDomainCertificate(serverId, appId, domainId) {
      return certificate(`${app(serverId, appId)}/domains/${id(domainId)}/ssl`)
    },
    async redeployDomainCertificate(serverId, appId, domainId, sslId) {
      await redeploy(
        `${app(serverId, appId)}/domains/${id(domainId)}/ssl/${id(sslId)}`,
        `the certificate ${sslId} of domain ${domainId}`
      )
    },
    async installDomainCertificate(serverId, appId, domainId) {
      const path = `${app(serverId, appId)}/domains/${id(domainId)}/ssl`
      await t.write<true>({
        method: 'POST',
        path,
        body: INSTALL_BODY,
        what: `installing a certificate on domain ${domainId}`,
        // RunCloud answers an install with {} (docs/runcloud-api.md); a certificate there now was installed by it.
        confirm: a => (okObject(a) ? true : undefined),
        readBack: async () => ((await certificate(path)) ? true : undefined)
      })
    }
  }
}
