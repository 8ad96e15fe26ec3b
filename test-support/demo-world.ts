/** The demo's world: a simulated RunCloud with one app, and a two-commit history of domains.yml. */
import { startDnsServer, type TestDnsServer } from './dns-server.js'
import { makeRepo, type TempRepo } from './git-repo.js'
import { startSimulator, type Simulator } from './simulator/server.js'

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
  const serverIp = '203.0.113.10'
  const serverId = sim.addServer({ name: 'web-1', ipAddress: serverIp }).id
  const appId = sim.addApp(serverId, { name: 'wordpress', primary: 'network.example.com' }).id
  sim.seedDomains(serverId, appId, ['shop.example.com', 'blog.example.com'])
  sim.seedDomains(serverId, appId, ['old-campaign.example.com'], { www: false })
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
