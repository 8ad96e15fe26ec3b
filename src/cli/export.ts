import { stringify } from 'yaml'
import { normaliseDomain } from '../manifest/normalise.js'
import type { LiveDomain, RunCloudApi } from '../runcloud/types.js'

export interface ExportTarget {
  server: number | string
  app: number | string
}

/** A name in a comment: JSON-quoted, so a line break or a quote in it stays inside the quotes. */
const quote = (s: string): string => JSON.stringify(s)

/**
 * What is left that a terminal or an editor would act on (C1 controls, bidirectional controls,
 * the Unicode line separators), written as `\uXXXX`: inside double quotes, which every value is,
 * YAML reads that escape back as the character; in a comment it is plain text.
 */
function escapeInvisible(text: string): string {
  return text.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    ch => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
  )
}

const DEFAULT_WWW = true
const DEFAULT_REDIRECTION = 'non-www'

function entry(d: LiveDomain): string | { name: string; www?: boolean; redirection?: string } {
  if (d.www === DEFAULT_WWW && d.redirection === DEFAULT_REDIRECTION) return d.name
  const e: { name: string; www?: boolean; redirection?: string } = { name: d.name }
  if (d.www !== DEFAULT_WWW) e.www = d.www
  if (d.redirection !== DEFAULT_REDIRECTION) e.redirection = d.redirection
  return e
}

/**
 * Names for targets given by id, so the comments (and labels) name every app as `--all` does.
 * Best effort: a listing that fails leaves the ids alone.
 */
async function nameByIds(
  api: RunCloudApi,
  resolved: { serverId: number; serverName?: string; appId: number; appName?: string }[]
): Promise<void> {
  let servers: Map<number, string> | undefined
  const apps = new Map<number, Map<number, string>>()
  for (const r of resolved) {
    try {
      if (r.serverName === undefined) {
        servers ??= new Map((await api.listServers()).map(s => [s.id, s.name]))
        r.serverName = servers.get(r.serverId)
      }
      if (r.appName === undefined) {
        let byId = apps.get(r.serverId)
        if (!byId) {
          byId = new Map((await api.listApps(r.serverId)).map(a => [a.id, a.name]))
          apps.set(r.serverId, byId)
        }
        r.appName = byId.get(r.appId)
      }
    } catch {
      // the ids alone still make a valid manifest
    }
  }
}

/**
 * A manifest from live state: one app per target, aliases only (the primary domain is left out,
 * as the action never manages it), settings written only where they differ from the defaults.
 * Planning the exported manifest against the same live state shows no change.
 */
export async function exportManifest(
  api: RunCloudApi,
  targets: ExportTarget[] | 'all',
  now = new Date()
): Promise<string> {
  let resolved: { serverId: number; serverName?: string; appId: number; appName?: string }[] = []
  if (targets === 'all') {
    for (const s of await api.listServers()) {
      for (const a of await api.listApps(s.id))
        resolved.push({ serverId: s.id, serverName: s.name, appId: a.id, appName: a.name })
    }
  } else {
    resolved = []
    for (const t of targets) {
      const serverId = await api.resolveServer(t.server)
      const appId = await api.resolveApp(serverId, t.app)
      resolved.push({
        serverId,
        appId,
        serverName: typeof t.server === 'string' ? t.server : undefined,
        appName: typeof t.app === 'string' ? t.app : undefined
      })
    }
    await nameByIds(api, resolved)
  }
  const blocks: string[] = []
  for (const r of resolved) {
    const live = await api.listDomains(r.serverId, r.appId)
    const primary = live.filter(d => d.type === 'primary').map(d => d.name)
    const skipped: string[] = []
    const domains = live
      .filter(d => d.type !== 'primary')
      .filter(d => {
        const n = normaliseDomain(d.name)
        if ('error' in n) skipped.push(d.name)
        return !('error' in n)
      })
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(entry)
    const item: Record<string, unknown> = { server: r.serverId, app: r.appId }
    if (r.appName) item.label = r.appName
    item.domains = domains
    const what = `server ${r.serverName ? `${quote(r.serverName)} ` : ''}(${r.serverId}), web app ${r.appName ? `${quote(r.appName)} ` : ''}(${r.appId})`
    const comments = [`  # ${what}`]
    if (primary.length)
      comments.push(`  # primary domain left out (never managed): ${primary.map(quote).join(', ')}`)
    if (skipped.length)
      comments.push(`  # left out, not valid manifest names: ${skipped.map(quote).join(', ')}`)
    // Every string double-quoted: a name RunCloud holds with a line break in it stays one value.
    const yaml = stringify([item], {
      indent: 2,
      lineWidth: 0,
      defaultStringType: 'QUOTE_DOUBLE',
      defaultKeyType: 'PLAIN'
    })
      .split('\n')
      .filter(Boolean)
      .map(l => `  ${l}`)
      .join('\n')
    blocks.push(`${comments.join('\n')}\n${yaml}`)
  }
  const header = [
    `# Exported from RunCloud by runcloud-domains export on ${now.toISOString().slice(0, 10)}.`,
    '# yaml-language-server: $schema=./domains.schema.json',
    'version: 1',
    blocks.length ? 'apps:' : 'apps: []'
  ]
  return escapeInvisible(`${header.join('\n')}\n${blocks.join('\n')}${blocks.length ? '\n' : ''}`)
}
