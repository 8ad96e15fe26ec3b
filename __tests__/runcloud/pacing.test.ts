/**
 * The pacer on its own, on a virtual clock: nothing here really waits. A small fixed-window
 * limiter (Laravel's kind: opened by the first request after the last window, 429 not counted)
 * answers requests that take a round trip of virtual time, so whole runs of hundreds of requests
 * against windows of 1 s to 60 s are checked in milliseconds, on the client's own code path.
 */
import {
  Pacer,
  parseRateLimitReset,
  parseRetryAfter,
  PROBE_PAUSES_MS,
  SHORT_PAUSE_MS,
  type Headers
} from '../../src/runcloud/pacing.js'

/** A virtual clock: `sleep` resolves when `run` advances time to it. */
function virtualClock() {
  let now = 1_700_000_000_000
  const timers: { at: number; resolve: () => void; seq: number }[] = []
  let seq = 0
  const sleep = (ms: number) =>
    new Promise<void>(resolve => timers.push({ at: now + Math.max(0, ms), resolve, seq: seq++ }))
  const settle = () => new Promise<void>(r => setImmediate(r))
  /** Drive until `done` settles: run microtasks, then jump to the next timer. */
  async function run<T>(done: Promise<T>): Promise<T> {
    let finished = false
    let value: T | undefined
    void done.then(v => {
      finished = true
      value = v
    })
    for (;;) {
      await settle()
      await settle()
      if (finished) return value as T
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = timers.shift()
      if (!next) throw new Error('stuck: nothing to wait for and not finished')
      now = Math.max(now, next.at)
      next.resolve()
    }
  }
  return { now: () => now, sleep, run }
}

type Hints = 'laravel' | 'remaining' | 'none'

/**
 * A fixed-window limiter on the virtual clock, answering at the moment a request arrives. `before`:
 * a window someone else opened `ago` ms before the run, with `used` requests already counted.
 */
function limiter(
  clock: { now(): number },
  limit: number,
  windowMs: number,
  hints: Hints,
  before?: { ago: number; used: number }
) {
  let window: { start: number; count: number } | undefined = before
    ? { start: clock.now() - before.ago, count: before.used }
    : undefined
  let index = 0
  const log: { at: number; status: number; window: number }[] = []
  return {
    log,
    answer(): { status: number; headers: Headers } {
      const now = clock.now()
      if (!window || now - window.start >= windowMs) {
        if (window) index++
        window = { start: now, count: 0 }
      }
      if (window.count >= limit) {
        log.push({ at: now, status: 429, window: index })
        const end = window.start + windowMs
        const headers: Headers = {}
        if (hints !== 'none')
          Object.assign(headers, { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0' })
        if (hints === 'laravel') {
          headers['retry-after'] = String(Math.max(1, Math.ceil((end - now) / 1000)))
          headers['x-ratelimit-reset'] = String(Math.ceil(end / 1000))
        }
        return { status: 429, headers }
      }
      window.count++
      log.push({ at: now, status: 200, window: index })
      return {
        status: 200,
        headers:
          hints === 'none'
            ? {}
            : { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(limit - window.count) }
      }
    }
  }
}

/** `calls` requests through the pacer at `concurrency`, each a round trip of `rttMs`, retried on 429. */
async function runCalls(opts: {
  calls: number
  limit: number
  windowMs: number
  hints: Hints
  rttMs?: number
  concurrency?: number
  before?: { ago: number; used: number }
}) {
  const clock = virtualClock()
  const rtt = opts.rttMs ?? 40
  const concurrency = opts.concurrency ?? 4
  const pacer = new Pacer(concurrency, clock.sleep, clock.now)
  const server = limiter(clock, opts.limit, opts.windowMs, opts.hints, opts.before)
  let inFlight = 0
  let mostInFlight = 0
  const one = async (): Promise<void> => {
    for (;;) {
      const ticket = await pacer.acquire()
      mostInFlight = Math.max(mostInFlight, ++inFlight)
      await clock.sleep(rtt / 2)
      const { status, headers } = server.answer()
      await clock.sleep(rtt / 2)
      inFlight--
      pacer.settle(ticket, status, headers)
      if (status !== 429) return
    }
  }
  const started = clock.now()
  await clock.run(Promise.all(Array.from({ length: opts.calls }, one)))
  const wall = clock.now() - started
  const windows = Math.ceil(opts.calls / opts.limit)
  // The fixed window's floor: every full window waited out, then the last window's round trips.
  const lastCalls = opts.calls - (windows - 1) * opts.limit
  const floor = (windows - 1) * opts.windowMs + Math.ceil(lastCalls / concurrency) * rtt
  const refused = server.log.filter(c => c.status === 429)
  /** 429s in each window of the limiter, the first window first. */
  const refusedPerWindow = Array.from(
    { length: (server.log.at(-1)?.window ?? 0) + 1 },
    (_, i) => refused.filter(c => c.window === i).length
  )
  return { wall, floor, windows, refused: refused.length, refusedPerWindow, mostInFlight, log: server.log }
}

describe('Retry-After and X-RateLimit-Reset', () => {
  it('reads seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000)
    expect(parseRetryAfter('1.5', 0)).toBe(1500)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })
  it('reads an epoch time or a delay in seconds, and ignores anything else', () => {
    const now = Date.UTC(2026, 0, 1)
    expect(parseRateLimitReset(String(now / 1000 + 12), now)).toBe(12_000)
    expect(parseRateLimitReset(String(now / 1000 - 5), now)).toBe(0)
    expect(parseRateLimitReset('4', now)).toBe(4_000)
    expect(parseRateLimitReset('soon', now)).toBeUndefined()
    expect(parseRateLimitReset(undefined, now)).toBeUndefined()
  })
})

describe('the rules, one answer at a time', () => {
  const rl = (limit: number, remaining: number, extra: Record<string, string> = {}) => ({
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    ...extra
  })
  /** A pacer whose sleeps only record and move the clock. */
  function simple(concurrency = 1) {
    let t = 1_700_000_000_000
    const sleeps: number[] = []
    const pacer = new Pacer(
      concurrency,
      async ms => {
        sleeps.push(ms)
        t += ms
        await Promise.resolve()
      },
      () => t
    )
    const send = async (status: number, headers: Headers) =>
      pacer.settle(await pacer.acquire(), status, headers)
    return { pacer, sleeps, send, advance: (ms: number) => (t += ms), now: () => t }
  }

  it('does not slow a fast account: plenty remaining, or no rate-limit headers at all', async () => {
    const s = simple(4)
    for (let i = 0; i < 50; i++) await s.send(200, rl(1000, 999 - i))
    for (let i = 0; i < 50; i++) await s.send(200, {})
    expect(s.sleeps).toEqual([])
    expect(s.pacer.waitedMs).toBe(0)
  })

  it('remaining 0 with no hint: one request after a short pause (at most 1 s), never a whole window', async () => {
    const s = simple(1)
    await s.send(200, rl(60, 3))
    s.advance(10)
    const decision = s.pacer.settle(await s.pacer.acquire(), 200, rl(60, 0))
    expect(decision.waitMs).toBe(SHORT_PAUSE_MS)
    expect(SHORT_PAUSE_MS).toBeLessThanOrEqual(1000)
    await s.pacer.acquire()
    expect(s.sleeps).toEqual([SHORT_PAUSE_MS])
  })

  it('after the short pause only the probe goes; the others wait for its answer', async () => {
    const s = simple(4)
    s.pacer.settle(await s.pacer.acquire(), 200, rl(60, 0))
    const probe = await s.pacer.acquire()
    let others = 0
    const waiting = Array.from({ length: 3 }, () => s.pacer.acquire().then(t => (others++, t)))
    await new Promise(r => setImmediate(r))
    expect(others).toBe(0)
    s.pacer.settle(probe, 200, rl(60, 59))
    const tickets = await Promise.all(waiting)
    expect(others).toBe(3)
    for (const t of tickets) s.pacer.settle(t, 200, rl(60, 50))
  })

  it('a 429 with Retry-After (seconds or a date) or X-RateLimit-Reset waits as told; with both, the earlier', async () => {
    for (const [headers, expected] of [
      [{ 'retry-after': '3' }, 3000],
      [{ 'x-ratelimit-reset': '7' }, 7000],
      [{ 'retry-after': '2', 'x-ratelimit-reset': '30' }, 2000],
      [{ 'retry-after': '9', 'x-ratelimit-reset': '4' }, 4000]
    ] as const) {
      const s = simple(1)
      await s.send(429, rl(60, 0, headers))
      await s.pacer.acquire()
      expect(s.sleeps).toEqual([expected])
    }
    const s = simple(1)
    await s.send(429, { 'retry-after': new Date(s.now() + 8_000).toUTCString() })
    await s.pacer.acquire()
    expect(s.sleeps[0]).toBeGreaterThan(7_000)
    expect(s.sleeps[0]).toBeLessThanOrEqual(8_000)
  })

  it('429s with no hint: single probes after growing pauses 1, 2, 4 … 60 s, until an answer is not a 429', async () => {
    const s = simple(1)
    for (let i = 0; i < 9; i++) await s.send(429, {})
    await s.send(200, {})
    await s.send(200, {})
    expect(s.sleeps).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000])
    expect(PROBE_PAUSES_MS.at(-1)).toBe(60_000)
    // After an answer that is not a 429, the pauses start again from 1 s.
    await s.send(429, {})
    await s.pacer.acquire()
    expect(s.sleeps.at(-1)).toBe(1000)
  })

  it('429s to requests sent before a bare 429 came back are one step of the pauses, not one each', async () => {
    const s = simple(4)
    const early = await Promise.all([s.pacer.acquire(), s.pacer.acquire(), s.pacer.acquire()])
    // Sent at the same instant as the others, but after the first 429's answer was read: a new step.
    expect(s.pacer.settle(early[0], 429, {}).waitMs).toBe(PROBE_PAUSES_MS[0])
    expect(s.pacer.settle(early[1], 429, {}).waitMs ?? 0).toBeLessThanOrEqual(PROBE_PAUSES_MS[0])
    expect(s.pacer.settle(early[2], 429, {}).waitMs ?? 0).toBeLessThanOrEqual(PROBE_PAUSES_MS[0])
    const probe = await s.pacer.acquire()
    expect(s.pacer.settle(probe, 429, {}).waitMs).toBe(PROBE_PAUSES_MS[1])
  })

  it('holds new requests while those on the wire would use up the remaining budget', async () => {
    const s = simple(4)
    const a = await s.pacer.acquire()
    const b = await s.pacer.acquire()
    // 2 remain, but the other request on the wire takes one.
    s.pacer.settle(a, 200, rl(10, 2))
    const c = await s.pacer.acquire()
    let fourth = false
    const pending = s.pacer.acquire().then(t => ((fourth = true), t))
    await new Promise(r => setImmediate(r))
    expect(fourth).toBe(false)
    s.pacer.settle(b, 200, rl(10, 1))
    await new Promise(r => setImmediate(r))
    expect(fourth).toBe(false)
    s.pacer.settle(c, 200, rl(10, 5)) // a new window: budget again
    s.pacer.settle(await pending, 200, rl(10, 4))
    expect(fourth).toBe(true)
    expect(s.sleeps).toEqual([])
  })

  it('with nothing on the wire, a used-up budget never deadlocks', async () => {
    const s = simple(2)
    s.pacer.settle(await s.pacer.acquire(), 200, rl(10, 1))
    const t = await s.pacer.acquire() // budget 1 → 0
    s.pacer.settle(t) // failed without an answer
    await s.pacer.acquire()
    expect(s.sleeps.length).toBeLessThanOrEqual(1)
  })
})

/**
 * 429s the rules make in the first window, with nothing learned yet: once the budget is used up,
 * one probe after the short pause; after a bare 429, one probe after each growing pause that still
 * ends inside the window; with no figures at all, each request on the wire meets the limit too.
 */
function rulesFirstWindow429s(windowMs: number, hints: Hints, concurrency: number): number {
  if (hints === 'laravel') return 1
  let count = hints === 'none' ? concurrency : 1
  let at = hints === 'none' ? 0 : SHORT_PAUSE_MS
  for (const pause of PROBE_PAUSES_MS) {
    at += pause
    if (at >= windowMs) break
    count++
  }
  return count
}

describe('whole runs against a fixed-window limiter (virtual time)', () => {
  it.each([
    [1000, 'laravel'],
    [1000, 'remaining'],
    [1000, 'none'],
    [3000, 'laravel'],
    [3000, 'remaining'],
    [3000, 'none'],
    [60_000, 'laravel'],
    [60_000, 'remaining'],
    [60_000, 'none']
  ] as const)(
    'window %i ms, hints %s: in flight ≤ concurrency; after the first window at most one 429 a window; near the floor',
    async (windowMs, hints) => {
      const r = await runCalls({ calls: 600, limit: 60, windowMs, hints })
      expect(r.mostInFlight).toBeLessThanOrEqual(4)
      // The first window teaches, as the rules make it: the probe after the short pause, then with
      // no hint one probe after each growing pause that ends inside the window (and, with no
      // figures at all, every request on the wire when the limit is met).
      const [first, ...later] = r.refusedPerWindow
      expect(first).toBeLessThanOrEqual(rulesFirstWindow429s(windowMs, hints, 4))
      for (const n of later) expect(n).toBeLessThanOrEqual(1)
      // An assumed 60 s window would take (windows - 1) minutes; learning costs at most the first
      // windows' rounding to whole seconds, and stays within 10% of the floor otherwise.
      expect(r.wall).toBeLessThanOrEqual(
        1.1 * r.floor + (hints === 'none' ? 2 : 1) * Math.max(windowMs, 2000)
      )
    }
  )

  it.each(['laravel', 'remaining'] as const)(
    'windows of whole seconds (Laravel keeps them), hints %s: from the third window on, each opens just after the last ends',
    async hints => {
      const windowMs = 3000
      const r = await runCalls({ calls: 600, limit: 60, windowMs, hints, rttMs: 40 })
      const opened = Array.from(
        { length: (r.log.at(-1)?.window ?? 0) + 1 },
        (_, i) => r.log.find(c => c.window === i)?.at ?? 0
      )
      // The first window is met as the rules make it, the second teaches; then a round trip late at most.
      for (let i = 3; i < opened.length; i++)
        expect((opened[i] as number) - (opened[i - 1] as number) - windowMs).toBeLessThanOrEqual(40)
      for (const n of r.refusedPerWindow.slice(2)) expect(n).toBe(0)
    }
  )

  it.each([
    [1500, 'remaining'],
    [2700, 'laravel'],
    [3020, 'remaining'],
    [3020, 'none']
  ] as const)(
    'a window of %i ms (not whole seconds), hints %s: ruling out whole seconds costs at most one more 429 in a window; near the floor',
    async (windowMs, hints) => {
      const r = await runCalls({ calls: 600, limit: 60, windowMs, hints })
      expect(r.mostInFlight).toBeLessThanOrEqual(4)
      const [first, ...later] = r.refusedPerWindow
      expect(first).toBeLessThanOrEqual(rulesFirstWindow429s(windowMs, hints, 4))
      for (const n of later) expect(n).toBeLessThanOrEqual(2)
      expect(later.filter(n => n > 1).length).toBeLessThanOrEqual(2)
      expect(r.wall).toBeLessThanOrEqual(1.1 * r.floor + 2 * Math.max(windowMs, 2000))
    }
  )

  it('no headers, and a window opened before the run: what the first window held is confirmed, not kept', async () => {
    // 25 of 60 already used 400 ms before the run: the first window seems to hold 35.
    const r = await runCalls({
      calls: 400,
      limit: 60,
      windowMs: 1000,
      hints: 'none',
      before: { ago: 400, used: 25 }
    })
    const answered = (w: number) => r.log.filter(c => c.window === w && c.status !== 429).length
    const last = r.log.at(-1)?.window ?? 0
    // Every window between the first and the last holds the whole limit, not the 35 first seen.
    for (let w = 1; w < last; w++) expect(answered(w)).toBe(60)
    // The second window is the first seen whole: its 429 says the limit (requests on the wire
    // meet it too); after that, at most one a window.
    expect(r.refusedPerWindow[1]).toBeLessThanOrEqual(4)
    for (const n of r.refusedPerWindow.slice(2)) expect(n).toBeLessThanOrEqual(1)
    expect(r.mostInFlight).toBeLessThanOrEqual(4)
  })

  it('a limit below the concurrency, and latency longer than the window, still converge', async () => {
    const small = await runCalls({ calls: 40, limit: 3, windowMs: 1000, hints: 'laravel' })
    expect(small.mostInFlight).toBeLessThanOrEqual(4)
    expect(small.wall).toBeLessThanOrEqual(1.2 * small.floor)
    const slow = await runCalls({ calls: 200, limit: 60, windowMs: 1000, hints: 'remaining', rttMs: 150 })
    expect(slow.refused).toBeLessThanOrEqual(slow.windows)
  })
})
