/** The pacer on its own, with an injected clock and sleep: nothing here really waits. */
import { Pacer, parseRateLimitReset, parseRetryAfter } from '../../src/runcloud/pacer.js'

function clock() {
  let t = 1_000_000
  const sleeps: number[] = []
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      t += ms
    },
    advance: (ms: number) => (t += ms),
    sleeps
  }
}
const rl = (limit: number, remaining: number, extra: Record<string, string> = {}) => ({
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(remaining),
  ...extra
})

/** One request through the pacer, answered with these status and headers. */
async function send(p: Pacer, status: number, headers: Record<string, string>): Promise<void> {
  await p.acquire()
  p.observe(status, headers)
  p.release()
}

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000)
    expect(parseRetryAfter('1.5', 0)).toBe(1500)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })
})

describe('X-RateLimit-Reset', () => {
  it('reads an epoch time or a delay in seconds, and ignores anything else', () => {
    const now = Date.UTC(2026, 0, 1)
    expect(parseRateLimitReset(String(now / 1000 + 12), now)).toBe(12_000)
    expect(parseRateLimitReset(String(now / 1000 - 5), now)).toBe(0)
    expect(parseRateLimitReset('4', now)).toBe(4_000)
    expect(parseRateLimitReset('soon', now)).toBeUndefined()
    expect(parseRateLimitReset(undefined, now)).toBeUndefined()
  })
  it('a 429 without Retry-After waits until the reset time instead of a whole window', async () => {
    const c = clock()
    const p = new Pacer(1, 60_000, c.sleep, c.now)
    await send(p, 429, rl(60, 0, { 'x-ratelimit-reset': '7' }))
    await p.acquire()
    expect(c.sleeps).toEqual([7_000])
  })
  it('Retry-After wins over X-RateLimit-Reset', async () => {
    const c = clock()
    const p = new Pacer(1, 60_000, c.sleep, c.now)
    await send(p, 429, rl(60, 0, { 'retry-after': '2', 'x-ratelimit-reset': '30' }))
    await p.acquire()
    expect(c.sleeps).toEqual([2_000])
  })
})

describe('pacing', () => {
  it('does not slow a fast account: plenty remaining, or no rate-limit headers at all', async () => {
    const c = clock()
    const p = new Pacer(4, 60_000, c.sleep, c.now)
    for (let i = 0; i < 50; i++) await send(p, 200, rl(1000, 999 - i))
    for (let i = 0; i < 50; i++) await send(p, 200, {})
    expect(c.sleeps).toEqual([])
    expect(p.waitedMs).toBe(0)
  })

  it('remaining 0 without Retry-After: waits until the window seen to start has passed', async () => {
    const c = clock()
    const p = new Pacer(1, 60_000, c.sleep, c.now)
    await send(p, 200, rl(3, 2)) // first answer of a window: it started about now
    c.advance(10_000)
    await send(p, 200, rl(3, 1))
    c.advance(5_000)
    await send(p, 200, rl(3, 0))
    await p.acquire()
    // 60 s from the window's start, 15 s of which had passed, plus a small margin.
    expect(c.sleeps).toEqual([45_050])
  })

  it('remaining 0 mid-window of unknown start: waits a whole window', async () => {
    const c = clock()
    const p = new Pacer(1, 2_000, c.sleep, c.now)
    await send(p, 200, rl(60, 0))
    await p.acquire()
    expect(c.sleeps).toEqual([2_000])
  })

  it('429 honours Retry-After in seconds and as a date', async () => {
    const c = clock()
    const p = new Pacer(1, 60_000, c.sleep, c.now)
    await send(p, 429, rl(60, 0, { 'retry-after': '3' }))
    await p.acquire()
    p.release()
    const at = new Date(c.now() + 8_000).toUTCString()
    await send(p, 429, { 'retry-after': at })
    await p.acquire()
    expect(c.sleeps).toHaveLength(2)
    expect(c.sleeps[0]).toBe(3_000)
    // An HTTP date has whole seconds: between 7 and 8 s.
    expect(c.sleeps[1]).toBeGreaterThan(7_000)
    expect(c.sleeps[1]).toBeLessThanOrEqual(8_000)
  })

  it('holds new requests while those on the wire would use up the remaining budget', async () => {
    const c = clock()
    const p = new Pacer(4, 60_000, c.sleep, c.now)
    // Two on the wire; the first answer says 2 remain, but the other one on the wire takes one.
    await p.acquire()
    await p.acquire()
    p.observe(200, rl(10, 2))
    p.release()
    await p.acquire() // budget 1 → allowed, now 0
    let fourth = false
    const pending = p.acquire().then(() => (fourth = true))
    await new Promise(r => setImmediate(r))
    expect(fourth).toBe(false)
    // The older request's answer says 3 remain, with one other still on the wire: budget 2, go.
    p.observe(200, rl(10, 3))
    p.release()
    await pending
    expect(fourth).toBe(true)
    expect(c.sleeps).toEqual([])
  })

  it('with nothing on the wire, an exhausted budget never deadlocks: it sends and learns', async () => {
    const c = clock()
    const p = new Pacer(2, 60_000, c.sleep, c.now)
    await p.acquire()
    p.observe(200, rl(10, 1))
    p.release()
    await p.acquire() // budget 1 → 0
    p.release() // failed without an answer (no observe)
    await p.acquire() // nothing on the wire: allowed
    expect(c.sleeps).toEqual([])
  })

  it('never lets more than `concurrency` hold a slot', async () => {
    const c = clock()
    const p = new Pacer(2, 60_000, c.sleep, c.now)
    let active = 0
    let most = 0
    await Promise.all(
      Array.from({ length: 9 }, async () => {
        await p.acquire()
        most = Math.max(most, ++active)
        await new Promise(r => setImmediate(r))
        active--
        p.release()
      })
    )
    expect(most).toBe(2)
  })
})
