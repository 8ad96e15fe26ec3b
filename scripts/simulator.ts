/**
 * Start the RunCloud simulator on its own: `npm run simulator -- [--port 8080] [--domains 25]
 * [--rate-limit 60] [--latency 50] [--pagination lastPage]`. Prints the API URL and token, and
 * the world's state on Ctrl-C.
 */
import { parseArgs } from 'node:util'
import { startSimulator } from '../src/simulator/server.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    token: { type: 'string', default: 'sim-token' },
    domains: { type: 'string', default: '5' },
    'rate-limit': { type: 'string' },
    latency: { type: 'string' },
    pagination: { type: 'string', default: 'total_pages' }
  }
})
const sim = await startSimulator({
  port: Number(values.port),
  token: values.token,
  latencyMs: values.latency ? Number(values.latency) : undefined,
  rateLimit: values['rate-limit'] ? { limit: Number(values['rate-limit']), windowMs: 60_000 } : undefined,
  pagination: values.pagination as 'total_pages' | 'lastPage' | 'none'
})
const server = sim.addServer({ name: 'web-1' })
const app = sim.addApp(server.id, { name: 'main', primary: 'main.example.com' })
sim.seedDomains(
  server.id,
  app.id,
  Array.from({ length: Number(values.domains) }, (_, i) => `site${i + 1}.example.com`)
)
console.log(`RunCloud simulator on ${sim.url}`)
console.log(`  token: ${sim.token}   server "web-1" = ${server.id}, web app "main" = ${app.id}`)
console.log(
  `  try: RUNCLOUD_API_TOKEN=${sim.token} npx runcloud-domains export --api-url ${sim.url} --server ${server.id} --app ${app.id}`
)
process.on('SIGINT', () => {
  console.log(JSON.stringify(sim.snapshot(), null, 2))
  console.log(`${sim.calls} calls`)
  void sim.close().then(() => process.exit(0))
})
