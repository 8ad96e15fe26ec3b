/**
 * Measure the RunCloud client against the simulator: `npx tsx scripts/measure-client.ts`.
 * - calls to list 1,000 domains, in each envelope shape;
 * - wall time of N requests under a rate limit (window 2 s, limit 60), alone on the account and in a
 *   429 storm caused by another consumer, with and without Retry-After, against the floor the
 *   limit itself imposes.
 */
import { createClient } from '../src/runcloud/client.js'
import { startSimulator, type SimulatorOptions } from '../test-support/simulator/server.js'
import { seedManyDomains } from '../test-support/simulator/world.js'

const TOKEN = 'measure-token'
const WINDOW = 2_000
const LIMIT = 60

async function listing(pagination: SimulatorOptions['pagination']): Promise<string> {
  const sim = await startSimulator({ token: TOKEN, pagination })
  const sid = sim.addServer({ name: 'web-1' }).id
  const aid = sim.addApp(sid, { name: 'main', primary: 'primary.example.com' }).id
  seedManyDomains(sim, sid, aid, 999)
  const api = createClient({ baseUrl: sim.url, token: TOKEN, concurrency: 4 })
  const started = Date.now()
  const all = await api.listDomains(sid, aid)
  const out = `list of ${all.length} domains (${pagination}): ${api.calls} calls (ceil(${all.length}/40) = ${Math.ceil(all.length / 40)}), ${Date.now() - started} ms`
  await sim.close()
  return out
}

async function rated(requests: number, retryAfter: boolean, storm: boolean): Promise<string> {
  const sim = await startSimulator({
    token: TOKEN,
    rateLimit: { limit: LIMIT, windowMs: WINDOW, retryAfter }
  })
  if (storm) {
    // Another consumer spends the whole first window.
    for (let i = 0; i < LIMIT; i++)
      await fetch(`${sim.url}/ping`, { headers: { authorization: `Bearer ${TOKEN}` } })
  }
  const before = sim.calls
  // Told nothing about the window: it paces from the answers.
  const api = createClient({ baseUrl: sim.url, token: TOKEN, concurrency: 4 })
  const started = Date.now()
  await Promise.all(Array.from({ length: requests }, () => api.ping()))
  const took = Date.now() - started
  const ours = sim.callLog.slice(before)
  const limited = ours.filter(c => c.status === 429).length
  // Floor: the windows the limit forces (the first one partly or wholly spent by the other consumer).
  const floor = (Math.ceil(requests / LIMIT) - 1 + (storm ? 1 : 0)) * WINDOW
  await sim.close()
  return `${requests} requests, ${storm ? '429 storm (window pre-spent)' : 'alone'}, Retry-After ${retryAfter ? 'sent' : 'absent'}: ${(took / 1000).toFixed(2)} s (floor ≈ ${(floor / 1000).toFixed(1)} s), ${api.calls} calls of which ${limited} answered 429`
}

const lines: string[] = []
for (const p of ['total_pages', 'lastPage', 'none'] as const) lines.push(await listing(p))
for (const storm of [false, true])
  for (const retryAfter of [true, false]) lines.push(await rated(200, retryAfter, storm))
console.log(lines.join('\n'))
