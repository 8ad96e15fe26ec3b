/**
 * `npm run bench`: API economy and speed, measured against the RunCloud simulator with the bundled
 * action run as a GitHub runner runs it. Prints tables and writes bench-results/bench.json.
 * Figures are printed, never asserted. Offline; takes a few minutes. `--quick` runs fewer cases;
 * `--compare path/to/index.js` measures another bundle beside dist/ in sections B, B2 and F;
 * `--only B,B2` runs just those sections; `--repeat N` runs each rate-limit row N times.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ACTION_ENTRY, ROOT, runAction } from '../test-support/action-runner.js'
import { startDnsServer } from '../test-support/dns-server.js'
import { makeRepo } from '../test-support/git-repo.js'
import { manifest as manifestText } from '../test-support/manifest-text.js'
import { createClient } from '../src/runcloud/client.js'
import { startSimulator, type SimulatorOptions } from '../test-support/simulator/server.js'
import { bundlesFromArgs, speedBench } from './bench-speed.js'

const TOKEN = 'bench-token'
const PER_PAGE = 40
const quick = process.argv.includes('--quick')
/** `--only B,B2` runs just those sections (A, B, B2, C, D, E, F); all of them without it. */
const onlyAt = process.argv.indexOf('--only')
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').toUpperCase().split(',') : undefined
const section = (name: string) => !only || only.includes(name)
/** With `--compare <older index.js>`, the rate-limit and listing rows run that bundle too, in the same run. */
const bundles: { name: string; entry?: string }[] = bundlesFromArgs(process.argv).map(b => ({
  name: b.label,
  entry: b.entry
}))
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version }

if (!existsSync(ACTION_ENTRY)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
// The DNS check of added names asks this loopback server (NXDOMAIN for all), not the machine's resolver.
const dnsServer = await startDnsServer()

const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}.example.com`)
const manifest = (sid: number, aid: number, domains: string[]) =>
  manifestText({ server: sid, app: aid, domains })
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const table = (head: string[], rows: (string | number)[][]) => {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i]).length)))
  const line = (r: (string | number)[]) =>
    `| ${r.map((c, i) => String(c).padStart(w[i] as number)).join(' | ')} |`
  console.log([line(head), `|${w.map(n => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n'))
}

/** The fixed windows a run met, in order: when each opened (ms from the first call) and its 429s. */
function windowsOf(log: { at: number; status: number; window?: number }[]) {
  const first = log[0]?.at ?? 0
  const out: { openedAt: number; refused: number }[] = []
  for (const c of log) {
    if (c.window === undefined) continue
    out[c.window] ??= { openedAt: c.at - first, refused: 0 }
    if (c.status === 429) (out[c.window] as { refused: number }).refused++
  }
  return out.filter(w => w !== undefined)
}

interface Scenario {
  live: number
  change: number
}

/** One apply of a change: half additions, half removals (as many as the app has). */
async function applyScenario(
  s: Scenario,
  simOpts: SimulatorOptions,
  env: Record<string, string> = {},
  entry?: string
) {
  const sim = await startSimulator({ token: TOKEN, ...simOpts })
  const sid = sim.addServer({ name: 'web-1' }).id
  const aid = sim.addApp(sim.state.servers[0]!.id, { name: 'main', primary: 'primary.example.com' }).id
  const existing = names(s.live - 1, 'live')
  sim.seedDomains(sid, aid, existing)
  const removals = Math.min(Math.floor(s.change / 2), existing.length)
  const adds = s.change - removals
  const head = [...existing.slice(removals), ...names(adds, 'new')]
  const repo = makeRepo([
    { 'domains.yml': manifest(sid, aid, existing) },
    { 'domains.yml': manifest(sid, aid, head) }
  ])
  sim.resetCalls()
  const started = Date.now()
  const run = await runAction({
    workspace: repo.dir,
    eventName: 'push',
    payload: { before: repo.shas[0] },
    inputs: { mode: 'apply', 'api-token': TOKEN, 'api-url': sim.url, force: 'true' },
    env: { RUNCLOUD_DNS_SERVERS: dnsServer.address, ...env },
    entry,
    timeoutMs: 1_800_000
  })
  const calls = sim.calls
  const answered = sim.callLog.filter(c => c.status !== 429)
  const firstAt = (sim.callLog[0]?.at ?? started) - started
  const spanMs = answered.length > 1 ? (answered.at(-1)?.at ?? 0) - (answered[0]?.at ?? 0) : 0
  // The list envelope gives the page count, so an exactly full last page costs nothing more.
  const listPages = Math.ceil(s.live / PER_PAGE)
  const ssl = adds > 0 ? 3 : 0
  // The DNS check reads the server's address once (GET /servers/{id}) when names are added.
  const dnsCheck = adds > 0 ? 1 : 0
  const minimum = adds + removals + listPages + ssl + dnsCheck
  // The WordPress plugin's integration: per addition add, read SSL, redeploy; per removal list (first page only), delete.
  const plugin = adds * 3 + removals * 2
  const ok = run.exitCode === 0 && sim.domains(sid, aid).length === head.length + 1
  await sim.close()
  repo.cleanup()
  return {
    ...s,
    adds,
    removals,
    calls,
    minimum,
    plugin,
    wallMs: run.durationMs,
    ok,
    rateLimited: sim.callLog.filter(c => c.status === 429).length,
    /** Per fixed window met (under a rate limit): when it opened (ms since the first call) and its 429s. */
    windowsMet: windowsOf(sim.callLog),
    answered: answered.length,
    firstAt,
    spanMs
  }
}

// A. API economy.
if (section('A')) {
  console.log(
    '\nA. RunCloud calls per apply (ids given; basic SSL): ours against the minimum and the WordPress plugin’s per-domain pattern'
  )
  const rows: (string | number)[][] = []
  const data = []
  for (const live of [10, 200, 2000]) {
    for (const change of quick ? [1, 50] : [1, 50, 500]) {
      const r = await applyScenario({ live, change }, {})
      data.push(r)
      rows.push([
        live,
        change,
        `${r.adds}+/${r.removals}-`,
        r.calls,
        r.minimum,
        `${(((r.calls - r.minimum) / r.minimum) * 100).toFixed(1)}%`,
        r.plugin,
        r.ok ? 'yes' : 'NO'
      ])
    }
  }
  table(['live', 'change', 'add/remove', 'calls', 'minimum', 'over min', 'plugin', 'converged'], rows)
  results.economy = data
}

// B. Wall time under a fixed-window rate limit that nobody told the action about.
if (section('B')) {
  const latencyMs = 5
  const scenario = { live: 200, change: 100 }
  // `--repeat N`: each row N times (the machine is shared: one run is noisy).
  const repeatAt = process.argv.indexOf('--repeat')
  const repeat = repeatAt >= 0 ? Math.max(1, Number(process.argv[repeatAt + 1]) || 1) : 1
  console.log(
    `\nB. Apply of ${scenario.change} changes to an app of ${scenario.live} domains under a fixed-window limiter (Laravel's kind: opened by the first request, 429 not counted), ${latencyMs} ms latency. The action is told nothing about the window. Floor = (ceil(calls / limit) - 1) × window + the last window's round trips (+ the same run's start and end, from an unlimited run). "w1 late": how long after the first window's end the second opened — what the rules decide while nothing is learned (one request after a short pause, then after a bare 429 pauses of 1, 2, 4 … s, or the wait a hinted 429 names); "best" = (floor + w1 late) / floor, what this run would reach had every later window opened on time; "later late": the same summed over later windows (the cost of learning). Targets: wall/floor ≤ 1.1 and at most one 429 a window.`
  )
  // An unlimited run of each bundle gives the time a call takes, and the process's start and end.
  const references = new Map<string, { perCall: number; overhead: number }>()
  for (const b of bundles) {
    const reference = await applyScenario(scenario, { latencyMs }, {}, b.entry)
    references.set(b.name, {
      perCall: reference.spanMs / Math.max(1, reference.answered - 1),
      overhead: reference.wallMs - reference.spanMs
    })
  }
  const rows: (string | number)[][] = []
  const data = []
  const cases: { windowMs: number; limit: number; hints: 'laravel' | 'remaining' | 'none' }[] = []
  for (const windowMs of quick ? [1000, 3000] : [1000, 3000, 60_000])
    for (const hints of ['laravel', 'remaining', 'none'] as const) {
      if (windowMs === 60_000 && hints === 'none') continue
      cases.push({ windowMs, limit: windowMs === 60_000 ? 60 : 30, hints })
    }
  const mark = (ok: boolean) => (ok ? 'yes' : 'NO')
  for (const c of cases) {
    for (let run = 0; run < repeat; run++)
      for (const b of bundles) {
        const r = await applyScenario(scenario, { latencyMs, rateLimit: c }, {}, b.entry)
        const windows = Math.ceil(r.answered / c.limit)
        const last = r.answered - (windows - 1) * c.limit
        const { perCall, overhead } = references.get(b.name) ?? { perCall: 0, overhead: 0 }
        const floorMs = overhead + (windows - 1) * c.windowMs + last * perCall
        const met = r.windowsMet
        const late = (i: number) =>
          Math.max(0, (met[i + 1]?.openedAt ?? 0) - (met[i]?.openedAt ?? 0) - c.windowMs)
        const w1LateMs = met.length > 1 ? late(0) : 0
        const laterLateMs = met.slice(1, -1).reduce((sum, _, i) => sum + late(i + 1), 0)
        const refused = met.map(w => w.refused)
        const ratio = r.wallMs / floorMs
        data.push({ ...r, ...c, bundle: b.name, run, windows, floorMs, w1LateMs, laterLateMs })
        rows.push([
          c.windowMs / 1000,
          c.limit,
          c.hints === 'laravel'
            ? 'Retry-After, Reset'
            : c.hints === 'remaining'
              ? 'remaining only'
              : 'none at all',
          b.name,
          r.answered,
          `${r.rateLimited}: ${refused.join('·')}`,
          (r.wallMs / 1000).toFixed(1),
          (floorMs / 1000).toFixed(1),
          ratio.toFixed(2),
          (w1LateMs / 1000).toFixed(2),
          ((floorMs + w1LateMs) / floorMs).toFixed(2),
          (laterLateMs / 1000).toFixed(2),
          `${mark(ratio <= 1.1)} / ${mark(refused.every(n => n <= 1))}${refused.slice(1).every(n => n <= 1) ? '' : ' (later too)'}`,
          r.ok ? 'yes' : 'NO'
        ])
      }
  }
  table(
    [
      'window s',
      'limit',
      'hints',
      'bundle',
      'calls',
      '429s: per window',
      'wall s',
      'floor s',
      'wall/floor',
      'w1 late s',
      'best',
      'later late s',
      '≤1.1× / ≤1 429',
      'converged'
    ],
    rows
  )
  if (repeat > 1) {
    // Per row and bundle: the median run by wall/floor, the range, and the most 429s each window met.
    const summary: (string | number)[][] = []
    for (const c of cases)
      for (const b of bundles) {
        const runs = data.filter(d => d.bundle === b.name && d.windowMs === c.windowMs && d.hints === c.hints)
        const ratios = runs.map(d => d.wallMs / d.floorMs).sort((x, y) => x - y)
        const mid = runs.find(d => d.wallMs / d.floorMs === median(ratios))
        const most = Array.from({ length: Math.max(...runs.map(d => d.windowsMet.length)) }, (_, i) =>
          Math.max(...runs.map(d => d.windowsMet[i]?.refused ?? 0))
        )
        summary.push([
          c.windowMs / 1000,
          c.limit,
          c.hints,
          b.name,
          mid?.answered ?? '',
          ((mid?.floorMs ?? 0) / 1000).toFixed(1),
          ((mid?.wallMs ?? 0) / 1000).toFixed(1),
          median(ratios).toFixed(2),
          `${(ratios[0] ?? 0).toFixed(2)}–${(ratios.at(-1) ?? 0).toFixed(2)}`,
          most.join('·'),
          median(runs.map(d => (d.floorMs + d.w1LateMs) / d.floorMs)).toFixed(2),
          `${mark(median(ratios) <= 1.1)} / ${mark(most.every(n => n <= 1))}`
        ])
      }
    console.log(
      `\nB, ${repeat} runs of each row: the median run by wall/floor, the range, the most 429s each window met`
    )
    table(
      [
        'window s',
        'limit',
        'hints',
        'bundle',
        'calls',
        'floor s',
        'wall s',
        'wall/floor',
        'range',
        '429s per window',
        'best',
        '≤1.1× / ≤1 429'
      ],
      summary
    )
  }
  results.rateLimited = { references: Object.fromEntries(references), rows: data }
}

// B2. Reading a long list: pages after the first in parallel once the first gives the totals.
if (section('B2')) {
  console.log(
    '\nB2. Plan of one change to an app with 2,000 live domains (50 pages of 40), whole process, by latency'
  )
  const rows: (string | number)[][] = []
  const data = []
  for (const latencyMs of [40, 150])
    for (const pagination of ['total_pages', 'none'] as const)
      for (const b of bundles) {
        const sim = await startSimulator({ token: TOKEN, latencyMs, pagination })
        const sid = sim.addServer({ name: 'web-1' }).id
        const aid = sim.addApp(sid, { name: 'main', primary: 'primary.example.com' }).id
        const existing = names(1999, 'live')
        sim.seedDomains(sid, aid, existing)
        const repo = makeRepo([
          { 'domains.yml': manifest(sid, aid, existing.slice(0, 10)) },
          { 'domains.yml': manifest(sid, aid, [...existing.slice(0, 10), 'new.example.com']) }
        ])
        const run = await runAction({
          workspace: repo.dir,
          eventName: 'pull_request',
          payload: { pull_request: { number: 1, base: { sha: repo.shas[0] } } },
          inputs: { 'api-token': TOKEN, 'api-url': sim.url, comment: 'false' },
          entry: b.entry,
          timeoutMs: 600_000
        })
        data.push({
          latencyMs,
          pagination,
          bundle: b.name,
          wallMs: run.durationMs,
          calls: sim.calls,
          maxInFlight: sim.maxInFlight
        })
        rows.push([
          latencyMs,
          pagination === 'none' ? 'no totals' : 'total_pages',
          b.name,
          sim.calls,
          sim.maxInFlight,
          (run.durationMs / 1000).toFixed(2),
          run.exitCode === 0 ? 'yes' : 'NO'
        ])
        await sim.close()
        repo.cleanup()
      }
  table(['latency ms', 'envelope', 'bundle', 'calls', 'most in flight', 'wall s', 'ok'], rows)
  results.listing = data
}

// C. Offline plan of 10,000 domains in 100 apps, whole process.
if (section('C')) {
  const apps = Array.from({ length: 100 }, (_, a) => ({
    server: 1,
    app: a + 1,
    domains: names(100, `a${a}-`)
  }))
  const repo = makeRepo([{ 'README.md': 'x' }, { 'domains.yml': manifestText(...apps) }])
  const times: number[] = []
  let added = 0
  for (let i = 0; i < 3; i++) {
    const run = await runAction({
      workspace: repo.dir,
      eventName: 'pull_request',
      payload: { pull_request: { number: 1, base: { sha: repo.shas[0] } } },
      inputs: { comment: 'false' }
    })
    times.push(run.durationMs)
    added = (JSON.parse(run.outputs.added ?? '[]') as string[]).length
  }
  repo.cleanup()
  console.log(
    `\nC. Offline plan, 10,000 domains in 100 apps, whole process (spawn to exit), median of 3: ${median(times)} ms (${added} additions planned)`
  )
  results.offlinePlan = { domains: 10_000, apps: 100, medianMs: median(times), runsMs: times }
}

// D. Cold start and bundle size.
if (section('D')) {
  const sim = await startSimulator({ token: TOKEN })
  const sid = sim.addServer({ name: 'web-1' }).id
  const aid = sim.addApp(sid, { name: 'main', primary: 'primary.example.com' }).id
  const repo = makeRepo([
    { 'domains.yml': manifest(sid, aid, []) },
    { 'domains.yml': manifest(sid, aid, ['a.example.com']) }
  ])
  const starts: number[] = []
  for (let i = 0; i < 5; i++) {
    sim.resetCalls()
    const t0 = Date.now()
    await runAction({
      workspace: repo.dir,
      eventName: 'pull_request',
      payload: { pull_request: { number: 1, base: { sha: repo.shas[0] } } },
      inputs: { 'api-token': TOKEN, 'api-url': sim.url, comment: 'false' }
    })
    if (sim.callLog[0]) starts.push(sim.callLog[0].at - t0)
  }
  await sim.close()
  repo.cleanup()
  const bytes = statSync(ACTION_ENTRY).size
  console.log(
    `\nD. Cold start of dist/index.js to its first RunCloud request (median of 5, incl. reading the base from git): ${median(starts)} ms; bundle ${(bytes / 1024 / 1024).toFixed(2)} MiB`
  )
  results.coldStart = { medianMs: median(starts), runsMs: starts, bundleBytes: bytes }
}

// E. The client alone: listing 1,000 domains, and a 429 storm.
if (section('E')) {
  const sim = await startSimulator({ token: TOKEN })
  const sid = sim.addServer({ name: 'web-1' }).id
  const aid = sim.addApp(sid, { name: 'main', primary: 'primary.example.com' }).id
  sim.seedDomains(sid, aid, names(999, 'd'))
  const api = createClient({ baseUrl: sim.url, token: TOKEN, concurrency: 4 })
  const listed = await api.listDomains(sid, aid)
  const listCalls = api.calls
  await sim.close()
  const storm = []
  for (const retryAfter of [true, false]) {
    const s = await startSimulator({ token: TOKEN, rateLimit: { limit: 30, windowMs: 1000, retryAfter } })
    const c = createClient({ baseUrl: s.url, token: TOKEN, concurrency: 4 })
    const t0 = Date.now()
    await Promise.all(Array.from({ length: 150 }, () => c.ping()))
    storm.push({
      retryAfter,
      requests: 150,
      wallMs: Date.now() - t0,
      // Four windows waited out; the fifth's round trips are a few ms on loopback.
      floorMs: (Math.ceil(150 / 30) - 1) * 1000,
      answered429: s.callLog.filter(x => x.status === 429).length
    })
    await s.close()
  }
  console.log(`\nE. Client: listing ${listed.length} domains costs ${listCalls} calls (40 a page).`)
  table(
    ['Retry-After', 'requests', 'wall s', 'floor s', '429s seen'],
    storm.map(x => [
      x.retryAfter ? 'yes' : 'no',
      x.requests,
      (x.wallMs / 1000).toFixed(2),
      (x.floorMs / 1000).toFixed(2),
      x.answered429
    ])
  )
  results.client = { list1000Calls: listCalls, storm }
}

// F. Start-up, bundle size and big offline plans (`--compare other/index.js` shows a second bundle beside dist/).
if (section('F')) results.speed = await speedBench(bundlesFromArgs(process.argv), quick)

await dnsServer.close()
mkdirSync(join(ROOT, 'bench-results'), { recursive: true })
writeFileSync(join(ROOT, 'bench-results', 'bench.json'), `${JSON.stringify(results, null, 2)}\n`)
console.log('\nwrote bench-results/bench.json')
