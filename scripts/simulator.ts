/**
 * Start the RunCloud simulator on its own:
 *
 *   npx tsx scripts/simulator.ts [--port 8080] [--seed demo|empty] [--state world.json] [--domains 25]
 *     [--rate-limit 60] [--window-ms 60000] [--rate-hints laravel|retry-after|remaining|none] [--latency 50]
 *     [--pagination total_pages|lastPage|none] [--ssl-not-installed per-endpoint|message|404|400]
 *     [--token sim-token]
 *     [--api-key sim-key --api-secret sim-secret]
 *
 * `--state` loads a world ({"servers": [{"name", "apps": [{"name", "primary", "domains"}]}]}, see
 * test-support/simulator/world.ts) instead of a seed. Prints the API URL and token; a control API is served
 * under /__sim/ (GET state, GET calls, POST/DELETE faults, POST domains). Ctrl-C prints the final state.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startSimulator } from '../test-support/simulator/server.js'
import { DEMO_WORLD } from '../test-support/demo-world.js'
import { loadWorld, seedManyDomains, type World } from '../test-support/simulator/world.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    token: { type: 'string', default: 'sim-token' },
    'api-key': { type: 'string', default: 'sim-key' },
    'api-secret': { type: 'string', default: 'sim-secret' },
    seed: { type: 'string', default: 'demo' },
    state: { type: 'string' },
    domains: { type: 'string', default: '0' },
    'rate-limit': { type: 'string' },
    'window-ms': { type: 'string', default: '60000' },
    'no-retry-after': { type: 'boolean', default: false },
    'rate-hints': { type: 'string', default: 'laravel' },
    latency: { type: 'string' },
    pagination: { type: 'string', default: 'total_pages' },
    'ssl-not-installed': { type: 'string', default: 'per-endpoint' }
  }
})

function whole(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number of at least ${min}; got ${raw}`)
    process.exit(2)
  }
  return n
}
function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    console.error(`--${name} must be one of ${allowed.join(', ')}; got ${raw}`)
    process.exit(2)
  }
  return raw as T
}

const limit = whole('rate-limit', values['rate-limit'], 1)
const sim = await startSimulator({
  port: whole('port', values.port, 0),
  token: values.token,
  apiKey: values['api-key'],
  apiSecret: values['api-secret'],
  latencyMs: whole('latency', values.latency, 0),
  rateLimit: limit
    ? {
        limit,
        windowMs: whole('window-ms', values['window-ms'], 1) ?? 60_000,
        hints: values['no-retry-after']
          ? 'remaining'
          : oneOf('rate-hints', values['rate-hints'], [
              'laravel',
              'retry-after',
              'remaining',
              'none'
            ] as const)
      }
    : undefined,
  pagination: oneOf('pagination', values.pagination, ['total_pages', 'lastPage', 'none'] as const),
  sslNotInstalled: oneOf('ssl-not-installed', values['ssl-not-installed'], [
    'per-endpoint',
    'message',
    '404',
    '400'
  ] as const),
  control: true
})

let world: World
if (values.state) world = JSON.parse(readFileSync(values.state, 'utf8')) as World
else world = oneOf('seed', values.seed, ['demo', 'empty'] as const) === 'demo' ? DEMO_WORLD : { servers: [] }
loadWorld(sim, world)
const first = sim.state.apps[0]
const extra = whole('domains', values.domains, 0) ?? 0
if (extra && first) seedManyDomains(sim, first.serverId, first.id, extra)

console.log(`RunCloud simulator on ${sim.url}   (API v2: ${sim.urlV2})`)
console.log(`  token: ${sim.token}   (API v2 key / secret: ${values['api-key']} / ${values['api-secret']})`)
for (const a of sim.state.apps)
  console.log(`  server ${a.serverId} / web app ${a.id} "${a.name}": ${a.domains.length} domains`)
if (first)
  console.log(
    `  try: RUNCLOUD_API_TOKEN=${sim.token} npx runcloud-domains export --api-url ${sim.url} --server ${first.serverId} --app ${first.id}`
  )
console.log(`  control: curl ${sim.url.replace(/\/api\/v3$/, '')}/__sim/state`)
process.on('SIGINT', () => {
  console.log(JSON.stringify(sim.snapshot(), null, 2))
  console.log(`${sim.calls} calls`)
  void sim.close().then(() => process.exit(0))
})
