/**
 * The one demo world, used by the demo, the standalone simulator's `--seed demo`, the screenshots
 * and the tests: a simulated RunCloud with a WordPress network and a shop on advanced SSL, a
 * two-commit history of domains.yml, and a DNS server that knows where the new names point.
 */
import { startDnsServer, type TestDnsServer } from './dns-server.js'
import { makeRepo, type TempRepo } from './git-repo.js'
import { startSimulator, type Simulator } from './simulator/server.js'
import { loadWorld, type World } from './simulator/world.js'

/** The server's address, where names that are set up point. */
export const DEMO_SERVER_IP = '203.0.113.10'

/** RunCloud as the demo finds it: one server, a WordPress network with a few mapped domains, and a shop on advanced SSL. */
export const DEMO_WORLD: World = {
  servers: [
    {
      name: 'web-1',
      ipAddress: DEMO_SERVER_IP,
      apps: [
        {
          name: 'wordpress',
          primary: 'network.example.com',
          domains: [
            { name: 'shop.example.com', www: true, redirection: 'non-www' },
            { name: 'blog.example.com', www: true, redirection: 'non-www' },
            { name: 'old-campaign.example.com', www: false, redirection: 'non-www' }
          ]
        },
        {
          name: 'store',
          primary: 'store.example.net',
          ssl: { advanced: true, autoSsl: false },
          domains: ['eu.store.example.net']
        }
      ]
    }
  ]
}

export const BEFORE = `# yaml-language-server: $schema=./domains.schema.json
version: 1
apps:
  - server: web-1          # resolved by name through the API
    app: wordpress
    label: WordPress network
    domains:
      - shop.example.com
      - blog.example.com
      - name: old-campaign.example.com
        www: false
`

export const AFTER = `# yaml-language-server: $schema=./domains.schema.json
version: 1
apps:
  - server: web-1          # resolved by name through the API
    app: wordpress
    label: WordPress network
    domains:
      - shop.example.com
      - name: blog.example.com
        redirection: none
      - bücher.example
      - new-client.example.org
`

export interface DemoWorld {
  sim: Simulator
  repo: TempRepo
  serverId: number
  appId: number
  /** A DNS server on loopback: bücher.example points at the simulated server, new-client.example.org does not. */
  dns: TestDnsServer
  /** The environment a run needs to ask that DNS server (`RUNCLOUD_DNS_SERVERS`). */
  env: Record<string, string>
  close(): Promise<void>
}

export async function demoWorld(opts: { latencyMs?: number } = {}): Promise<DemoWorld> {
  const sim = await startSimulator({ token: 'demo-token-not-a-secret', latencyMs: opts.latencyMs ?? 15 })
  const ids = loadWorld(sim, DEMO_WORLD)
  const serverId = ids.servers['web-1'] as number
  const appId = ids.apps['web-1/wordpress'] as number
  const serverIp = DEMO_SERVER_IP
  const repo = makeRepo([{ 'domains.yml': BEFORE }, { 'domains.yml': AFTER }])
  // The shop moved here already; the new client's name still points at its old host, www not set up.
  const dns = await startDnsServer({
    'xn--bcher-kva.example': { A: [serverIp] },
    'www.xn--bcher-kva.example': { A: [serverIp] },
    'new-client.example.org': { A: ['198.51.100.7'] }
  })
  return {
    sim,
    repo,
    serverId,
    appId,
    dns,
    env: { RUNCLOUD_DNS_SERVERS: dns.address },
    async close() {
      await sim.close()
      await dns.close()
      repo.cleanup()
    }
  }
}
