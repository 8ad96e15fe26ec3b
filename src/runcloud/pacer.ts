/**
 * Paces RunCloud requests from what the API says, never from an assumed rate:
 * - at most `concurrency` requests hold a slot at once;
 * - `X-RateLimit-Remaining` is a budget: once the requests already on the wire would use it up,
 *   new ones wait for their answers instead of provoking a 429 (each 429 still costs quota);
 * - when the budget reaches 0 or a 429 arrives, new requests wait for `Retry-After`, else
 *   for `X-RateLimit-Reset` when sent, else for the window to pass (measured from the first
 *   answer of the window we saw).
 * An account whose answers carry no rate-limit headers, or a large remaining figure, is not slowed.
 */
export class Pacer {
  /** Slots held (a request holds its slot from acquire to release, waits included). */
  private held = 0
  private slotQueue: (() => void)[] = []
  /** Requests on the wire: sent, not yet answered. */
  private sent = 0
  /** Requests the server will still accept in this window, less those sent since it said so. */
  private budget: number | undefined
  private budgetWaiters: (() => void)[] = []
  private blockedUntil = 0
  /** When the current rate-limit window was first seen (an answer with remaining = limit - 1). */
  private windowStart: number | undefined

  constructor(
    private readonly concurrency: number,
    private readonly windowMs: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly now: () => number = Date.now
  ) {}

  /** Total time spent waiting on the rate limit, ms (for reports and the benchmark). */
  waitedMs = 0

  /** Wait for a slot, for any rate-limit block to pass, and for budget; then count the request as sent. */
  async acquire(): Promise<void> {
    if (this.held >= this.concurrency) await new Promise<void>(resolve => this.slotQueue.push(resolve))
    else this.held++
    for (;;) {
      const wait = this.blockedUntil - this.now()
      if (wait > 0) {
        this.waitedMs += wait
        await this.sleep(wait)
        continue
      }
      // Out of budget with answers still to come: those answers say what is left (or block).
      // With nothing on the wire there is nobody to wait for: send, and learn from the answer.
      if (this.budget !== undefined && this.budget <= 0 && this.sent > 0) {
        await new Promise<void>(resolve => this.budgetWaiters.push(resolve))
        continue
      }
      break
    }
    this.sent++
    if (this.budget !== undefined) this.budget--
  }

  /**
   * Give the slot back. Call `observe` first when there was an answer, so that requests woken
   * here see the budget it brought.
   */
  release(): void {
    this.sent--
    const woken = this.budgetWaiters.splice(0)
    for (const w of woken) w()
    const next = this.slotQueue.shift()
    if (next) next()
    else this.held--
  }

  /** Learn from an answer's status and headers (before `release` of the same request). */
  observe(status: number, headers: Record<string, string | string[] | undefined>): void {
    const header = (name: string): string | undefined => {
      const v = headers[name]
      return Array.isArray(v) ? v[0] : v
    }
    const now = this.now()
    const retryAfter =
      parseRetryAfter(header('retry-after'), now) ?? parseRateLimitReset(header('x-ratelimit-reset'), now)
    const limit = Number(header('x-ratelimit-limit'))
    const rawRemaining = header('x-ratelimit-remaining')
    const remaining = rawRemaining === undefined ? NaN : Number(rawRemaining)
    if (Number.isFinite(limit) && remaining === limit - 1) this.windowStart = now
    if (status === 429) {
      this.block(now + (retryAfter ?? this.untilWindowPasses(now)))
    } else if (remaining <= 0) {
      this.block(now + (retryAfter ?? this.untilWindowPasses(now)))
    } else if (Number.isFinite(remaining)) {
      // The other requests on the wire may not be counted in this figure yet: assume they will be.
      this.budget = remaining - (this.sent - 1)
    } else if (status < 400) {
      // No rate-limit headers on a success: nothing to go by, so no gate.
      this.budget = undefined
    }
  }

  private untilWindowPasses(now: number): number {
    // Without Retry-After: wait until a window that started when we first saw it has passed
    // (plus a little, as our first answer arrives after the server opened the window).
    if (this.windowStart !== undefined && now - this.windowStart < this.windowMs)
      return this.windowStart + this.windowMs - now + 50
    return this.windowMs
  }

  private block(until: number): void {
    if (until > this.blockedUntil) this.blockedUntil = until
    this.windowStart = undefined
    // A new window brings a new budget, which the first answer after it will tell.
    this.budget = undefined
  }
}

/** `Retry-After` as seconds or an HTTP date → ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * `X-RateLimit-Reset` (not documented by RunCloud, but what Laravel's throttle sends beside
 * Retry-After): an epoch time in seconds, or seconds from now for small values; undefined when
 * absent or unreadable. Used only when Retry-After is missing, before waiting a whole window.
 */
export function parseRateLimitReset(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined
  const n = Number(value.trim())
  // Seconds since 1970 are over a billion; anything smaller is a delay in seconds.
  return n > 1_000_000_000 ? Math.max(0, n * 1000 - now) : n * 1000
}
