/**
 * The DNS check: before a name is added, see where it points. A certificate can only be issued
 * once a name resolves to the web app's server, so a plan that adds a name still pointing at the
 * old host is worth a warning — never a failure: a name behind a proxy (Cloudflare) rightly
 * points elsewhere.
 */
import { isIP } from 'node:net'
import { mapLimit, type Logger } from '../logger.js'
import type { AppPlan, DnsAnswer, Plan } from '../plan/model.js'
import { withDns } from '../plan/annotate.js'
import type { RunCloudApi } from '../runcloud/types.js'
import { dnsWarning } from './report.js'

/** The longest a name's lookup may take, in ms: the check must not hold a run up. */
export const DNS_TIMEOUT_MS = 3_000
/** Lookups in flight at once (each name asks for A and AAAA). */
const DNS_CONCURRENCY = 16

/** One question's answer: the addresses, `[]` for "no such record", or why it failed. */
type Lookup = { addresses: string[] } | { error: string }

export interface DnsCheckOptions {
  api: Pick<RunCloudApi, 'getServer'>
  env: NodeJS.ProcessEnv
  log: Logger
  timeoutMs?: number
}

/**
 * `RUNCLOUD_DNS_SERVERS`: resolvers to ask instead of the system's, a comma- or space-separated
 * list of `host`, `host:port` or `[v6]:port`. Entries that are not an IP address are ignored with
 * a note (a name would need a resolver to find the resolver).
 */
export function dnsServersFrom(env: NodeJS.ProcessEnv, note: (m: string) => void): string[] | undefined {
  const raw = env.RUNCLOUD_DNS_SERVERS?.trim()
  if (!raw) return undefined
  const servers: string[] = []
  for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
    const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(entry) ?? /^([^:]+):(\d{1,5})$/.exec(entry)
    const ok = m
      ? isIP(m[1] as string) !== 0 && Number(m[2]) >= 1 && Number(m[2]) <= 65_535
      : isIP(entry) !== 0
    if (ok) servers.push(entry)
    else note(`Ignoring '${entry}' in RUNCLOUD_DNS_SERVERS: write an IP address, optionally with :port.`)
  }
  return servers.length ? servers : undefined
}

/** One address in one written form, so `2001:DB8::1` and `2001:db8:0::1` compare equal. */
function canonical(ip: string): string {
  if (isIP(ip) !== 6) return ip.trim()
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1)
  } catch {
    return ip.toLowerCase()
  }
}

const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND'])

function why(code: string | undefined, timeoutMs: number): string {
  switch (code) {
    case 'ETIMEOUT':
    case 'TIMEOUT':
      return `no answer within ${timeoutMs / 1000} s`
    case 'ESERVFAIL':
      return 'the DNS server failed (SERVFAIL)'
    case 'EREFUSED':
      return 'the DNS server refused the query'
    case 'ECONNREFUSED':
      return 'the DNS server could not be reached'
    default:
      return `lookup failed (${code ?? 'error'})`
  }
}

async function lookup(
  ask: (name: string) => Promise<string[]>,
  name: string,
  timeoutMs: number
): Promise<Lookup> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<Lookup>(resolve => {
    timer = setTimeout(() => resolve({ error: why('TIMEOUT', timeoutMs) }), timeoutMs)
  })
  const answer = ask(name).then(
    (addresses): Lookup => ({ addresses: addresses.map(canonical) }),
    (e: { code?: string }): Lookup =>
      NO_RECORD.has(e.code ?? '') ? { addresses: [] } : { error: why(e.code, timeoutMs) }
  )
  try {
    return await Promise.race([answer, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The verdict for one name from its A and AAAA answers and the server's address. The records of
 * the server address's family decide (RunCloud gives an IPv4 address; whether the server also
 * has IPv6 is unknown, so AAAA records are shown but do not count against it).
 */
export function verdictOf(
  name: string,
  serverIp: string | undefined,
  a: Lookup,
  aaaa: Lookup,
  serverError?: string
): DnsAnswer {
  const found = [...('addresses' in a ? a.addresses : []), ...('addresses' in aaaa ? aaaa.addresses : [])]
  const answer = (verdict: DnsAnswer['verdict'], error?: string): DnsAnswer => ({
    name,
    verdict,
    addresses: found,
    ...(error ? { error } : {})
  })
  const v6 = serverIp !== undefined && isIP(serverIp) === 6
  const same = v6 ? aaaa : a
  const other = v6 ? a : aaaa
  if ('error' in same) return answer('failed', same.error)
  if (same.addresses.length === 0) {
    if ('error' in other) return answer('failed', other.error)
    return other.addresses.length === 0
      ? answer('none')
      : serverIp
        ? answer('elsewhere')
        : answer('failed', serverError)
  }
  if (serverIp === undefined) return answer('failed', serverError)
  const target = canonical(serverIp)
  return same.addresses.every(x => x === target) ? answer('server') : answer('elsewhere')
}

/** The names to check: each app's additions (and their www. names), where its server is known. */
function additions(plan: Plan): { app: AppPlan; appIndex: number; names: string[]; index: number }[] {
  const out: { app: AppPlan; appIndex: number; names: string[]; index: number }[] = []
  plan.apps.forEach((app, appIndex) => {
    if (app.serverId === undefined) return
    app.changes.forEach((c, index) => {
      if (c.action !== 'add') return
      out.push({ app, appIndex, index, names: [c.domain, ...(c.settings.www ? [`www.${c.domain}`] : [])] })
    })
  })
  return out
}

/**
 * Look up every name the plan adds and return the plan with the answers (`Add.dns`,
 * `AppPlan.serverIp`); one `GET /servers/{id}` per server, lookups in parallel, each bounded by a
 * short timeout. Logs a warning per app whose names do not point at its server. Never throws: on
 * any failure the plan comes back as it was.
 */
export async function checkDns(plan: Plan, opts: DnsCheckOptions): Promise<Plan> {
  const todo = additions(plan)
  if (!todo.length) return plan
  const timeoutMs = opts.timeoutMs ?? DNS_TIMEOUT_MS
  // Loaded here, not at start: only a plan that adds names asks DNS.
  const dns = process.getBuiltinModule('node:dns').promises
  const resolver = new dns.Resolver({ timeout: Math.min(1_000, timeoutMs), tries: 3 })
  try {
    const servers = dnsServersFrom(opts.env, m => opts.log.warning(m))
    if (servers) resolver.setServers(servers)
  } catch (e) {
    opts.log.warning(
      `RUNCLOUD_DNS_SERVERS could not be used (${(e as Error).message}); using the system's resolver.`
    )
  }
  try {
    const addresses = new Map<number, Promise<{ ip?: string; error?: string }>>()
    const serverOf = (serverId: number) => {
      let p = addresses.get(serverId)
      if (!p) {
        p = opts.api.getServer(serverId).then(
          s =>
            s.ipAddress ? { ip: s.ipAddress } : { error: `RunCloud gave no address for server ${serverId}` },
          (e: Error) => ({ error: `the address of server ${serverId} could not be read: ${e.message}` })
        )
        addresses.set(serverId, p)
      }
      return p
    }
    // Start reading each server's address while the names resolve.
    for (const t of todo) void serverOf(t.app.serverId as number)
    const names = [...new Set(todo.flatMap(t => t.names))]
    const answers = new Map<string, [Lookup, Lookup]>()
    await mapLimit(names, DNS_CONCURRENCY, async name => {
      answers.set(
        name,
        await Promise.all([
          lookup(n => resolver.resolve4(n), name, timeoutMs),
          lookup(n => resolver.resolve6(n), name, timeoutMs)
        ])
      )
    })
    const found: { serverIp?: string; answers: Map<number, DnsAnswer[]> }[] = []
    for (const t of todo) {
      const server = await serverOf(t.app.serverId as number)
      const f = (found[t.appIndex] ??= { answers: new Map() })
      if (server.ip) f.serverIp = server.ip
      f.answers.set(
        t.index,
        t.names.map(name => {
          const [a, aaaa] = answers.get(name) ?? [{ error: 'not looked up' }, { error: 'not looked up' }]
          return verdictOf(name, server.ip, a, aaaa, server.error)
        })
      )
    }
    const unread = new Set<string>()
    for (const p of addresses.values()) {
      const s = await p
      if (s.error) unread.add(s.error)
    }
    for (const e of unread) opts.log.info(`DNS check: ${e}; the names are shown without a verdict.`)
    const checked = withDns(plan, found)
    for (const app of checked.apps) {
      const w = dnsWarning(app)
      if (w) opts.log.warning(w)
    }
    return checked
  } catch (e) {
    opts.log.info(`DNS check skipped: ${(e as Error).message}`)
    return plan
  } finally {
    // Queries still out after their deadline must not keep the process alive.
    resolver.cancel()
  }
}
