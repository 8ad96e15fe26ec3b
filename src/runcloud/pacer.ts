/**
 * Paces RunCloud requests from what the API says, never from an assumed rate: at most
 * `concurrency` in flight; when `X-RateLimit-Remaining` reaches 0 or a 429 arrives, new requests
 * wait for `Retry-After` (or, without it, for the window to pass). A fast account is not slowed.
 */
export class Pacer {
  private inFlight = 0
  private waiting: (() => void)[] = []
  private blockedUntil = 0
  /** When the current rate-limit window was first seen (the first answer with remaining = limit - 1). */
  private windowStart: number | undefined

  constructor(
    private readonly concurrency: number,
    private readonly windowMs: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly now: () => number = Date.now
  ) {}

  /** Total time spent waiting on the rate limit, ms (for reports and the benchmark). */
  waitedMs = 0

  async acquire(): Promise<void> {
    if (this.inFlight >= this.concurrency) await new Promise<void>(resolve => this.waiting.push(resolve))
    else this.inFlight++
    for (;;) {
      const wait = this.blockedUntil - this.now()
      if (wait <= 0) return
      this.waitedMs += wait
      await this.sleep(wait)
    }
  }

  release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.inFlight--
  }

  /** Learn from an answer's status and headers. */
  observe(status: number, headers: Record<string, string | string[] | undefined>): void {
    const header = (name: string): string | undefined => {
      const v = headers[name]
      return Array.isArray(v) ? v[0] : v
    }
    const now = this.now()
    const retryAfter = parseRetryAfter(header('retry-after'), now)
    const limit = Number(header('x-ratelimit-limit'))
    const remaining = header('x-ratelimit-remaining')
    if (remaining !== undefined && Number.isFinite(limit) && Number(remaining) === limit - 1)
      this.windowStart = now
    if (status === 429) {
      this.block(now + (retryAfter ?? this.untilWindowPasses(now)))
    } else if (remaining !== undefined && Number(remaining) <= 0) {
      this.block(now + (retryAfter ?? this.untilWindowPasses(now)))
    }
  }

  private untilWindowPasses(now: number): number {
    // Without Retry-After: wait until a window that started when we first saw it has passed.
    if (this.windowStart !== undefined && now - this.windowStart < this.windowMs)
      return this.windowStart + this.windowMs - now + 50
    return this.windowMs
  }

  private block(until: number): void {
    if (until > this.blockedUntil) this.blockedUntil = until
    this.windowStart = undefined
  }
}

/** `Retry-After` as seconds or an HTTP date → ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
