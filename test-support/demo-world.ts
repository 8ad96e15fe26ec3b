/** The demo's world: a simulated RunCloud with one app, and a two-commit history of domains.yml. */
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
  close(): Promise<void>
}

export async function demoWorld(opts: { latencyMs?: number } = {}): Promise<DemoWorld> {
  const sim = await startSimulator({ token: 'demo-token-not-a-secret', latencyMs: opts.latencyMs ?? 15 })
  const serverId = sim.addServer({ name: 'web-1' }).id
  const appId = sim.addApp(serverId, { name: 'wordpress', primary: 'network.example.com' }).id
  sim.seedDomains(serverId, appId, ['shop.example.com', 'blog.example.com'])
  sim.seedDomains(serverId, appId, ['old-campaign.example.com'], { www: false })
  const repo = makeRepo([{ 'domains.yml': BEFORE }, { 'domains.yml': AFTER }])
  return {
    sim,
    repo,
    serverId,
    appId,
    async close() {
      await sim.close()
      repo.cleanup()
    }
  }
}
