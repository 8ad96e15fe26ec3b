/**
 * Worlds for the simulator: a JSON description of servers, apps and domains (the standalone
 * simulator's `--state` file), and a helper that seeds N domains for benchmarks. The one demo
 * world is test-support/demo-world.ts.
 */
import type { Simulator } from './server.js'
import type { AppSeed, SimDomain } from './state.js'

export interface WorldDomain {
  name: string
  type?: SimDomain['type']
  www?: boolean
  redirection?: SimDomain['redirection']
}

export interface WorldApp extends AppSeed {
  /** Aliases besides the primary domain. */
  domains?: (string | WorldDomain)[]
}

export interface World {
  servers: { id?: number; name: string; ipAddress?: string; apps?: WorldApp[] }[]
}

/** Load a world into a simulator; returns the ids given to each server and app, by name. */
export function loadWorld(
  sim: Simulator,
  world: World
): { servers: Record<string, number>; apps: Record<string, number> } {
  if (!world || !Array.isArray(world.servers))
    throw new Error(
      'A simulator world is {"servers": [{"name": ..., "apps": [{"name", "primary", "domains": [...]}]}]}'
    )
  const ids = { servers: {} as Record<string, number>, apps: {} as Record<string, number> }
  for (const s of world.servers) {
    const server = sim.state.addServer(s)
    ids.servers[s.name] = server.id
    for (const a of s.apps ?? []) {
      const app = sim.addApp(server.id, a)
      ids.apps[`${s.name}/${a.name}`] = app.id
      sim.addDomains(server.id, app.id, a.domains ?? [])
    }
  }
  return ids
}

/**
 * Seed `count` aliases named `<prefix><n>.example.com` (n from 1) with the action's default
 * settings, for benchmarks and large-list tests; returns the names.
 */
export function seedManyDomains(
  sim: Simulator,
  serverId: number,
  appId: number,
  count: number,
  prefix = 'site'
): string[] {
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}.example.com`)
  sim.seedDomains(serverId, appId, names)
  return names
}
