/**
 * Start-up, bundle size and big offline plans, for one bundle or two side by side (section F of
 * `npm run bench`; alone: `npx tsx scripts/bench-speed.ts [--compare path/to/other/index.js] [--quick]`).
 * Every process runs on the npm-shipped Node 24 under `/usr/bin/time` (for its peak memory), the
 * runs of the bundles interleaved so that a busy machine slows them alike. Figures are printed,
 * never asserted.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  ACTION_ENTRY,
  node24,
  ROOT,
  runAction,
  type RunActionOptions
} from '../test-support/action-runner.js'
import { makeRepo } from '../test-support/git-repo.js'
import { manifest as manifestText } from '../test-support/manifest-text.js'
import { startSimulator } from '../test-support/simulator/server.js'

const TOKEN = 'bench-token'
const TIME = '/usr/bin/time'
/** The 1 MiB manifest limit. */
const LIMIT = 1024 * 1024

export interface Bundle {
  label: string
  entry: string
}

interface Sample {
  ms: number
  /** Peak resident memory in MiB, when /usr/bin/time could say. */
  rssMiB?: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const med = (s: Sample[]) => median(s.map(x => x.ms))
const medRss = (s: Sample[]) => {
  const r = s.map(x => x.rssMiB).filter((x): x is number => x !== undefined)
  return r.length ? median(r) : NaN
}
const wrapper = existsSync(TIME) ? [TIME, '-f', 'MAXRSS_KB=%M'] : []
const rssOf = (stderr: string): number | undefined => {
  const m = /MAXRSS_KB=(\d+)/.exec(stderr)
  return m ? Number(m[1]) / 1024 : undefined
}

function table(head: string[], rows: (string | number)[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i]).length)))
  const line = (r: (string | number)[]) =>
    `| ${r.map((c, i) => String(c).padStart(w[i] as number)).join(' | ')} |`
  console.log([line(head), `|${w.map(n => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n'))
}

/** Spawn to exit of a plain Node 24 process (the baselines), with its peak memory. */
function timeNode(args: string[]): Promise<Sample> {
  return new Promise((done, fail) => {
    const t0 = performance.now()
    const child = spawn(
      wrapper[0] ?? node24(),
      [...wrapper.slice(1), ...(wrapper.length ? [node24()] : []), ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stderr = ''
    child.stdout.resume()
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', fail)
    child.on('close', code => {
      const ms = performance.now() - t0
      if (code !== 0) fail(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))
      else done({ ms, rssMiB: rssOf(stderr) })
    })
  })
}

async function timeAction(
  entry: string,
  opts: RunActionOptions,
  check?: (outputs: Record<string, string>) => void
) {
  const run = await runAction({ ...opts, entry, wrapper, timeoutMs: 300_000 })
  if (run.exitCode !== 0)
    throw new Error(`${entry} failed:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`)
  check?.(run.outputs)
  return { ms: run.durationMs, rssMiB: rssOf(run.stderr), startedAt: run.startedAt }
}

/** One HTTP round trip on a new connection (what the action's first request costs on the wire). */
function roundTrip(url: string): Promise<number> {
  return new Promise((done, fail) => {
    const t0 = performance.now()
    const req = request(url, { agent: false, headers: { authorization: `Bearer ${TOKEN}` } }, res => {
      res.resume()
      res.on('end', () => done(performance.now() - t0))
    })
    req.on('error', fail)
    req.end()
  })
}

/** A full-form manifest of `apps` apps with `perApp` domains each; `renamed` names (spread over the apps) differ by a suffix. */
function bigManifest(apps: number, perApp: number, renamed = 0, tag = 'new'): string {
  const every = renamed ? Math.max(1, Math.floor((apps * perApp) / renamed)) : Infinity
  let k = 0
  return manifestText(
    ...Array.from({ length: apps }, (_, a) => ({
      server: 1,
      app: a + 1,
      label: `app ${a + 1}`,
      domains: Array.from(
        { length: perApp },
        (_, d) => `${k++ % every === every - 1 ? `${tag}-` : ''}site${d}.app${a}.example.com`
      )
    }))
  )
}

/** Largest per-app count (100 apps) whose manifest stays under the 1 MiB limit. */
function maxPerApp(): number {
  let n = 100
  while (Buffer.byteLength(bigManifest(100, n + 10)) < LIMIT - 4096) n += 10
  return n
}

export interface SpeedResults {
  bundles: Record<string, unknown>[]
  nodeE0: Sample[]
  roundTripMs: number
}

/** Runs the benchmark for each bundle and prints the tables; returns the figures for bench.json. */
export async function speedBench(bundles: Bundle[], quick = false): Promise<Record<string, unknown>> {
  const reps = quick ? 3 : 7
  const tmp = mkdtempSync(join(tmpdir(), 'rcd-bench-speed-'))
  const yamlUrl = pathToFileURL(join(ROOT, 'node_modules', 'yaml', 'dist', 'index.js')).href
  const yamlScript = join(tmp, 'yaml-only.mjs')
  // The baseline: Node 24 reading both manifests and parsing them with `yaml` alone.
  writeFileSync(
    yamlScript,
    `import { readFileSync } from 'node:fs'\nimport { parse } from ${JSON.stringify(yamlUrl)}\n` +
      `for (const f of process.argv.slice(2)) parse(readFileSync(f, 'utf8'))\n`
  )
  const out: Record<string, unknown> = {}
  try {
    // 1. node -e 0 (here, and once more beside each round below), and one round trip to the simulator.
    const e0: Sample[] = []
    for (let i = 0; i < reps; i++) e0.push(await timeNode(['-e', '0']))
    const sim = await startSimulator({ token: TOKEN })
    const rtts: number[] = []
    for (let i = 0; i < 15; i++) rtts.push(await roundTrip(`${sim.url}/ping`))
    const rtt = median(rtts.slice(3))
    out.roundTripMs = rtt

    // 2. The no-op plan: no credentials, manifest unchanged between base and head.
    const small = bigManifest(3, 5)
    const noopRepo = makeRepo([{ 'domains.yml': small }, { 'README.md': 'unrelated change' }])
    const noopOpts: RunActionOptions = {
      workspace: noopRepo.dir,
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: noopRepo.shas[0] } } },
      inputs: { comment: 'false' }
    }
    const noChanges = (o: Record<string, string>) => {
      if (o['has-changes'] !== 'false') throw new Error('the no-op run planned changes')
    }

    // 3. First RunCloud request: a plan with credentials (one domain added).
    const sid = sim.addServer({ name: 'web-1' }).id
    const aid = sim.addApp(sid, { name: 'main', primary: 'primary.example.com' }).id
    const one = (names: string[]) => manifestText({ server: sid, app: aid, domains: names })
    const firstRepo = makeRepo([{ 'domains.yml': one([]) }, { 'domains.yml': one(['a.example.com']) }])
    const firstOpts: RunActionOptions = {
      workspace: firstRepo.dir,
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: firstRepo.shas[0] } } },
      inputs: { 'api-token': TOKEN, 'api-url': sim.url, comment: 'false' }
    }

    // 4. Offline plans of big manifests: base and head both real, a few names differ.
    const sizes = quick ? [10, 100] : [10, 40, 100, 200, maxPerApp()]
    const big = sizes.map(perApp => {
      const base = bigManifest(100, perApp)
      const head = bigManifest(100, perApp, 5)
      const repo = makeRepo([{ 'domains.yml': base }, { 'domains.yml': head }])
      const files = [join(tmp, `base-${perApp}.yml`), join(tmp, `head-${perApp}.yml`)]
      writeFileSync(files[0] as string, base)
      writeFileSync(files[1] as string, head)
      return { perApp, domains: 100 * perApp, bytes: Buffer.byteLength(head), repo, files }
    })
    const bigOpts = (repo: (typeof big)[number]['repo']): RunActionOptions => ({
      workspace: repo.dir,
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: repo.shas[0] } } },
      inputs: { comment: 'false' }
    })
    const fiveAdded = (o: Record<string, string>) => {
      const n = (JSON.parse(o.added ?? '[]') as unknown[]).length
      if (n !== 5) throw new Error(`expected 5 additions, got ${n}`)
    }

    // Each ratio is the median of ratios taken pair by pair (an action run against the baseline run
    // beside it), so that a machine whose speed drifts during the bench shifts both sides of each.
    const per = bundles.map(b => ({
      b,
      noop: [] as Sample[],
      first: [] as number[],
      big: big.map(() => [] as Sample[]),
      noopRatios: [] as number[],
      firstRatios: [] as number[],
      bigRatios: big.map(() => [] as number[])
    }))
    const yamlOnly = big.map(() => [] as Sample[])
    for (let i = 0; i < reps; i++) {
      // node -e 0 again beside each round: the baseline of this round's ratios.
      const base = await timeNode(['-e', '0'])
      e0.push(base)
      for (const p of per) {
        const noop = await timeAction(p.b.entry, noopOpts, noChanges)
        p.noop.push(noop)
        p.noopRatios.push(noop.ms / base.ms)
        sim.resetCalls()
        // From the spawn of the action's process (as node -e 0 is timed), not from the runner's set-up.
        const { startedAt } = await timeAction(p.b.entry, firstOpts)
        const firstCall = sim.callLog[0]
        if (!firstCall) throw new Error('no RunCloud request')
        p.first.push(firstCall.at - startedAt)
        p.firstRatios.push((firstCall.at - startedAt - rtt) / base.ms)
      }
    }
    for (let s = 0; s < big.length; s++) {
      const n = s === big.findIndex(x => x.perApp === 100) ? reps : Math.max(3, Math.ceil(reps / 2))
      for (let i = 0; i < n; i++) {
        const yaml = await timeNode([yamlScript, ...big[s]!.files])
        yamlOnly[s]!.push(yaml)
        for (const p of per) {
          const run = await timeAction(p.b.entry, bigOpts(big[s]!.repo), fiveAdded)
          p.big[s]!.push(run)
          p.bigRatios[s]!.push(run.ms / yaml.ms)
        }
      }
    }
    await sim.close()
    const nodeMs = med(e0)
    out.nodeE0 = { medianMs: nodeMs, rssMiB: medRss(e0) }
    noopRepo.cleanup()
    firstRepo.cleanup()
    for (const x of big) x.repo.cleanup()

    // Tables.
    const i10k = big.findIndex(x => x.perApp === 100)
    const mib = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(0))
    console.log(
      `\nF. Start-up, bundle and big plans (Node ${process.versions.node} runs the bench; the action runs on Node 24). ` +
        `node -e 0: ${nodeMs.toFixed(0)} ms, ${mib(medRss(e0))} MiB; one round trip to the simulator: ${rtt.toFixed(1)} ms; medians of ${reps}; each ratio the median of run-by-run ratios against the baseline run beside it.`
    )
    const rows: (string | number)[][] = []
    const summary: Record<string, unknown>[] = []
    for (const p of per) {
      const bytes = statSync(p.b.entry).size
      // The chunks it imports (lazily loaded parts) sit beside it.
      const dir = dirname(p.b.entry)
      const allBytes = readdirSync(dir)
        .filter(f => f.endsWith('.js'))
        .reduce((n, f) => n + statSync(join(dir, f)).size, 0)
      const noop = med(p.noop)
      const first = median(p.first)
      const plan = i10k >= 0 ? med(p.big[i10k]!) : NaN
      const yaml = i10k >= 0 ? med(yamlOnly[i10k]!) : NaN
      const row = {
        bundle: p.b.label,
        entry: p.b.entry,
        bytes,
        allBytes,
        noopMs: noop,
        noopRatio: median(p.noopRatios),
        noopRssMiB: medRss(p.noop),
        firstRequestMs: first,
        firstRequestRatio: median(p.firstRatios),
        plan10kMs: plan,
        yaml10kMs: yaml,
        plan10kRatio: i10k >= 0 ? median(p.bigRatios[i10k]!) : NaN,
        plan10kRssMiB: i10k >= 0 ? medRss(p.big[i10k]!) : NaN,
        yaml10kRssMiB: i10k >= 0 ? medRss(yamlOnly[i10k]!) : NaN
      }
      summary.push(row)
      rows.push([
        p.b.label,
        `${(bytes / 1e6).toFixed(2)} MB`,
        `${(allBytes / 1e6).toFixed(2)} MB`,
        `${noop.toFixed(0)} ms = ${row.noopRatio.toFixed(2)}×`,
        mib(row.noopRssMiB),
        `${first.toFixed(0)} ms = ${row.firstRequestRatio.toFixed(2)}× + rt`,
        `${plan.toFixed(0)} / ${yaml.toFixed(0)} ms = ${row.plan10kRatio.toFixed(2)}×`,
        `${mib(row.plan10kRssMiB)} / ${mib(row.yaml10kRssMiB)}`
      ])
    }
    table(
      [
        'bundle',
        'index.js',
        'with chunks',
        'no-op ÷ node -e 0',
        'no-op MiB',
        'first request',
        '10k plan ÷ yaml parses',
        '10k MiB (plan/yaml)'
      ],
      rows
    )
    console.log(
      'targets: ≤ 1.2 MB; no-op ≤ 3.5×; first request ≤ 3× node -e 0 + one round trip; 10k plan ≤ 1.3× the two YAML parses; ≤ 150 MiB'
    )

    console.log(
      '\nF2. Offline plan by size (100 apps, base and head real, 5 names differ): whole process, and the cost per 1,000 domains above the no-op run'
    )
    const lrows: (string | number)[][] = []
    const linear: Record<string, unknown>[] = []
    for (let s = 0; s < big.length; s++) {
      const x = big[s]!
      const yaml = med(yamlOnly[s]!)
      const cells: (string | number)[] = [
        x.domains,
        `${(x.bytes / 1024).toFixed(0)} KiB`,
        `${yaml.toFixed(0)} ms`
      ]
      for (const p of per) {
        const ms = med(p.big[s]!)
        const perK = (ms - med(p.noop)) / (x.domains / 1000)
        cells.push(
          `${ms.toFixed(0)} ms ${median(p.bigRatios[s]!).toFixed(2)}× ${perK.toFixed(1)} ms/k ${mib(medRss(p.big[s]!))} MiB`
        )
        linear.push({
          bundle: p.b.label,
          domains: x.domains,
          bytes: x.bytes,
          ms,
          yamlMs: yaml,
          ratio: median(p.bigRatios[s]!),
          msPer1k: perK,
          rssMiB: medRss(p.big[s]!)
        })
      }
      lrows.push(cells)
    }
    table(['domains', 'head size', 'yaml alone', ...per.map(p => p.b.label)], lrows)
    out.bundles = summary
    out.bySize = linear
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  return out
}

/** `--compare path` adds a second bundle (e.g. one built from an older commit), shown first as "before". */
export function bundlesFromArgs(argv: string[]): Bundle[] {
  const at = argv.indexOf('--compare')
  const other = at >= 0 ? argv[at + 1] : undefined
  const current: Bundle = { label: other ? 'after' : 'dist', entry: ACTION_ENTRY }
  return other ? [{ label: 'before', entry: resolve(other) }, current] : [current]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await speedBench(bundlesFromArgs(process.argv), process.argv.includes('--quick'))
}
