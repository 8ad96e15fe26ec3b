/**
 * Paces RunCloud requests from what its answers say, never from an assumed rate or window
 * (docs/runcloud-api.md, Limits):
 * - at most `concurrency` requests hold a slot at once;
 * - `X-RateLimit-Remaining` is a budget: once the requests already on the wire would use it up,
 *   new ones wait for their answers instead of provoking a 429 (each 429 still costs quota);
 * - a 429 with `Retry-After` or `X-RateLimit-Reset`: wait as told, then one request to learn the
 *   new budget;
 * - a 429 with neither: single probes after growing pauses (1, 2, 4 … 60 s) until one is answered;
 * - the budget used up with no hint: one request after a short pause, whose answer says the rest.
 *
 * It also learns from the answers what a fixed window (Laravel's throttle, which RunCloud runs)
 * reveals: a new window is seen opening (remaining = limit − 1, or the first answer after a 429;
 * without any rate-limit header, the run's first answer is taken to open one), so two openings
 * bound the window's length from above, and a 429 (or an answer still counted in the window)
 * bounds it from below. Once both bounds are known, a used-up budget waits until the learned end
 * of the window instead of probing into it, and narrows the bounds while they are loose with at
 * most one early probe a window — at whole seconds first, as Laravel keeps its windows. Without any rate-limit header, the number of answers a window
 * held is learned from its 429; learned in a window only taken to be opened by the run, it is
 * checked by one request before it holds requests back. With nothing learned yet, the rules above
 * apply alone; a learned bound that an answer contradicts is dropped.
 */

/**
 * Before the single request sent when the budget is used up and no answer said when it returns.
 * Short, because nothing is known yet and that request costs one 429 however long the pause: sent
 * at once, it meets the window's end soonest, since what follows starts from its answer (the wait
 * a hinted 429 names, or the pauses of 1, 2, 4 … s after a bare one, which so end just after
 * windows of 1, 3, 7 … s).
 */
export const SHORT_PAUSE_MS = 50
/** Pauses between single probes after 429s without a hint: 1, 2, 4 … 60 s. */
export const PROBE_PAUSES_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000] as const
/** The longest any learned schedule may hold requests back in one go. */
const LONGEST_LEARNED_WAIT_MS = 60_000

export type Headers = Record<string, string | string[] | undefined>

/** A request let through: when it was sent, for learning from its answer. */
export interface Ticket {
  sentAt: number
  /** Order of sending: which requests went out before an answer was known. */
  seq: number
}

/** What `settle` decided, for one log line. */
export interface PaceDecision {
  /** ms until the next request may go, when the answer made the pacer wait. */
  waitMs?: number
  /** Why, in words: "as Retry-After says", "probing after a 429 without a hint" … */
  why?: string
}

interface Opening {
  /** Midpoint of the opening request's send and answer: when the server likely saw it. */
  mid: number
  /** The window is known to have opened with this request (not just the first answer we saw). */
  certain: boolean
  /** Only taken to open with the run's first request (no rate-limit header says so). */
  assumed?: boolean
  /** Answers (not 429) counted in this window so far. */
  used: number
}

export class Pacer {
  private held = 0
  private slotQueue: (() => void)[] = []
  /** Requests sent and not yet answered. */
  private onWire = 0
  /** Requests the server will still accept in this window, less those sent since it said so. */
  private budget: number | undefined
  private blockedUntil = 0
  /** Only one request on the wire at a time: a probe whose answer decides what comes next. */
  private single = false
  private probeStep = 0
  /** The last answer was a 429: the next other answer opened a new window. */
  private limited = false
  private limit: number | undefined
  /** Answers (not 429) a window held, learned where the answers carry no remaining figure. */
  private learnedLimit: number | undefined
  /** Learned from a 429 in a window seen opening; else only a lower bound, confirmed before use. */
  private learnedLimitSure = false
  private window: Opening | undefined
  /** Bounds of the window's length learned from answers, ms. */
  private windowAtLeast: number | undefined
  private windowAtMost: number | undefined
  private rtt: number | undefined
  private lastRemaining: { value: number; at: number } | undefined
  /** Requests sent so far, and how many had been sent when the last 429 came back. */
  private sent = 0
  private sentBefore429: number | undefined
  /** The last 429 said when to come back: an early probe costs that wait, so probes go later. */
  private hinted429 = false
  private waiters: (() => void)[] = []

  /** Total time requests were held back by the rate limit, ms (for reports and the benchmark). */
  waitedMs = 0

  constructor(
    private readonly concurrency: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly now: () => number = Date.now
  ) {}

  /** Wait for a slot, for any rate-limit wait to pass and for budget; then count the request as sent. */
  async acquire(): Promise<Ticket> {
    if (this.held >= this.concurrency) await new Promise<void>(resolve => this.slotQueue.push(resolve))
    else this.held++
    for (;;) {
      const wait = this.blockedUntil - this.now()
      if (wait > 0) {
        this.waitedMs += wait
        await this.sleep(wait)
        continue
      }
      if ((this.single || (this.budget !== undefined && this.budget <= 0)) && this.onWire > 0) {
        // Answers still to come say what is left (or make everyone wait).
        await new Promise<void>(resolve => this.waiters.push(resolve))
        continue
      }
      if (this.budget !== undefined && this.budget <= 0) {
        // Used up, and nothing on the wire to learn from: decide when to ask again.
        this.usedUp(this.now(), undefined)
        continue
      }
      break
    }
    this.onWire++
    if (this.budget !== undefined) this.budget--
    return { sentAt: this.now(), seq: this.sent++ }
  }

  /**
   * The request's answer (`status` and `headers`), or none (a connection failure): learn from it
   * and give the slot back.
   */
  settle(ticket: Ticket, status?: number, headers: Headers = {}): PaceDecision {
    this.onWire--
    let decision: PaceDecision = {}
    if (status !== undefined) decision = this.observe(ticket, status, headers)
    const woken = this.waiters.splice(0)
    for (const w of woken) w()
    const next = this.slotQueue.shift()
    if (next) next()
    else this.held--
    return decision
  }

  private observe(ticket: Ticket, status: number, headers: Headers): PaceDecision {
    const header = (name: string): string | undefined => {
      const v = headers[name]
      return Array.isArray(v) ? v[0] : v
    }
    const now = this.now()
    const mid = (ticket.sentAt + now) / 2
    // Both are upper bounds of the window's end where both are sent: the earlier one is as told.
    const told = [
      parseRetryAfter(header('retry-after'), now),
      parseRateLimitReset(header('x-ratelimit-reset'), now)
    ].filter((v): v is number => v !== undefined)
    const hint = told.length ? Math.min(...told) : undefined
    // Told in whole seconds, rounded up: the window ends within the last second of each.
    const wholeSeconds = [header('retry-after'), header('x-ratelimit-reset')].every(
      v => v === undefined || !/\./.test(v)
    )
    const limit = Number(header('x-ratelimit-limit'))
    if (Number.isInteger(limit) && limit > 0) this.limit = limit
    const rawRemaining = header('x-ratelimit-remaining')
    const remaining = rawRemaining === undefined ? undefined : Number(rawRemaining)
    const knownRemaining = remaining !== undefined && Number.isFinite(remaining) ? remaining : undefined

    if (status === 429) {
      const w = this.window
      if (w?.certain) {
        // This request arrived before the window ended: the window is longer than that.
        this.windowAtLeast = Math.max(this.windowAtLeast ?? 0, mid - w.mid)
        if (hint !== undefined && hint > 0) {
          this.windowAtMost = Math.min(this.windowAtMost ?? Infinity, now + hint - w.mid)
          if (wholeSeconds)
            this.windowAtLeast = Math.max(this.windowAtLeast, Math.max(...told) - 1000 + now - w.mid)
        }
        if (knownRemaining === undefined) {
          this.learnedLimit = Math.max(this.learnedLimit ?? 0, w.used)
          if (!w.assumed) this.learnedLimitSure = true
        }
        if (this.windowAtMost !== undefined && this.windowAtLeast >= this.windowAtMost)
          this.windowAtMost = undefined
      }
      this.limited = true
      this.budget = undefined
      this.single = true
      this.hinted429 = hint !== undefined && hint > 0
      if (hint !== undefined && hint > 0) {
        this.probeStep = 0
        return this.block(now + hint, 'as the answer to a 429 says')
      }
      // Requests sent before the last 429 came back met the same full window: one probe, one step.
      const escalate = this.sentBefore429 === undefined || ticket.seq >= this.sentBefore429
      this.sentBefore429 = this.sent
      if (!escalate) return {}
      const learnedEnd = this.wholeSecondEnd(true) ?? this.learnedEnd()
      if (learnedEnd !== undefined && learnedEnd > now)
        return this.block(
          Math.min(learnedEnd, now + LONGEST_LEARNED_WAIT_MS),
          'a 429 without a hint; waiting for the window learned from earlier answers'
        )
      const pause = PROBE_PAUSES_MS[Math.min(this.probeStep++, PROBE_PAUSES_MS.length - 1)] as number
      return this.block(now + pause, 'a 429 without a hint of when to come back; then one request')
    }

    this.rtt = this.rtt === undefined ? now - ticket.sentAt : 0.8 * this.rtt + 0.2 * (now - ticket.sentAt)
    const opened =
      knownRemaining !== undefined && this.limit !== undefined
        ? knownRemaining === this.limit - 1
        : knownRemaining === undefined && this.limited
    this.limited = false
    // An answer to a request sent before a lower figure came back is older news: it counts, but
    // says nothing about what is left.
    const stale =
      !opened &&
      knownRemaining !== undefined &&
      this.lastRemaining !== undefined &&
      knownRemaining > this.lastRemaining.value &&
      ticket.sentAt < this.lastRemaining.at
    if (opened) {
      const previous = this.window
      if (previous?.certain) {
        // The previous window had ended when this request arrived: an upper bound of its length.
        this.windowAtMost = Math.min(this.windowAtMost ?? Infinity, mid - previous.mid)
        if (this.windowAtLeast !== undefined && this.windowAtLeast >= this.windowAtMost)
          this.windowAtLeast = undefined
      }
      this.window = { mid, certain: true, used: 1 }
    } else if (this.window) {
      const w = this.window
      w.used++
      if (
        w.certain &&
        knownRemaining === undefined &&
        this.learnedLimit !== undefined &&
        w.used > this.learnedLimit
      )
        // More than learned: a sure figure grows; one that was only a lower bound is learned again
        // from this window's 429.
        this.learnedLimit = this.learnedLimitSure ? w.used : undefined
    } else {
      // Without any figure, the run's first request is taken to open a window: true when the
      // account was idle for a window before; if not, the bounds it gives are contradicted and
      // dropped, and the number of answers it held is confirmed before it holds anything back.
      const assumed = knownRemaining === undefined
      this.window = { mid, certain: assumed, assumed, used: 1 }
    }

    if (stale) return {}
    const w = this.window
    if (
      !opened &&
      w.certain &&
      knownRemaining !== undefined &&
      this.lastRemaining !== undefined &&
      knownRemaining < this.lastRemaining.value
    ) {
      // Counted in the same window (less left than before): it had not ended when this arrived.
      this.windowAtLeast = Math.max(this.windowAtLeast ?? 0, mid - w.mid)
      if (this.windowAtMost !== undefined && this.windowAtLeast >= this.windowAtMost)
        this.windowAtMost = undefined
    }
    this.probeStep = 0
    this.single = false
    if (knownRemaining !== undefined) {
      this.lastRemaining = { value: knownRemaining, at: now }
      // Requests still on the wire may not be counted in this figure yet: assume they will be.
      this.budget = knownRemaining - this.onWire
      if (knownRemaining <= 0) return this.exhausted(now, hint)
    } else if (this.learnedLimit !== undefined && this.window.certain) {
      this.budget = this.learnedLimit - this.window.used - this.onWire
      if (this.window.used >= this.learnedLimit) return this.usedUp(now, hint)
    } else {
      // Nothing to go by: no gate.
      this.budget = undefined
    }
    return {}
  }

  /**
   * The budget is used up. A number of answers learned only as a lower bound is confirmed first by
   * one request: a 429 makes it sure; an answer drops it until this window's 429 says the number.
   */
  private usedUp(now: number, hint: number | undefined): PaceDecision {
    if (this.lastRemaining === undefined && !this.learnedLimitSure && !(hint !== undefined && hint > 0)) {
      this.budget = undefined
      this.single = true
      return {}
    }
    return this.exhausted(now, hint)
  }

  /** Into the learned window's uncertain end, while it is loose; undefined when not. */
  private earlyProbeAt(): number | undefined {
    const b = this.bounds()
    if (!b) return undefined
    const { w, atMost, atLeast } = b
    const rtt = this.rtt ?? 0
    // A 429 that says when to come back costs that whole wait (whole seconds): where 429s carry
    // hints, early probes go later and stop sooner.
    const loose = atMost - atLeast > Math.max(atMost * (this.hinted429 ? 0.08 : 0.05), 2 * rtt, 20)
    if (!loose) return undefined
    return w.mid + atLeast + (this.hinted429 ? 0.6 : 0.5) * (atMost - atLeast) - rtt / 2
  }

  /** The budget is used up: wait as told, until the learned end of the window, or briefly; then one request. */
  private exhausted(now: number, hint: number | undefined): PaceDecision {
    this.budget = undefined
    this.single = true
    // Without remaining figures, the window is over when the next request is answered (or refused).
    if (this.lastRemaining === undefined) this.limited = true
    if (hint !== undefined && hint > 0)
      return this.block(now + hint, 'the budget is used up, as the answer says')
    if (this.bounds()) {
      // Narrow the bounds while they are loose: at most one early probe a window (a 429 if it
      // comes too soon), at a whole second where the bounds allow one; else wait for the learned end.
      const target = this.wholeSecondEnd(false) ?? this.earlyProbeAt() ?? this.learnedEnd() ?? now
      const until = Math.min(Math.max(now, target), now + LONGEST_LEARNED_WAIT_MS)
      return this.block(until, 'the budget is used up; waiting for the window learned from earlier answers')
    }
    return this.block(
      now + SHORT_PAUSE_MS,
      'the budget is used up and no answer said until when; then one request'
    )
  }

  /**
   * Laravel's throttle (which RunCloud runs) keeps windows of whole seconds, so of the lengths the
   * learned bounds allow, whole seconds are tried first: `sole`, the one whole second left (after
   * a 429); else the lower middle of them (a probe: a 429 rules it out, an answer rules out those
   * above). When to send so that the request arrives just after a window of that length ends;
   * undefined when no whole second fits. A limiter whose windows are not whole seconds costs a
   * 429 for each length ruled out, then the bounds alone apply.
   */
  private wholeSecondEnd(sole: boolean): number | undefined {
    const b = this.bounds()
    if (!b) return undefined
    const { w, atMost, atLeast } = b
    const rtt = this.rtt ?? 0
    // The bounds come from when requests were sent and answered: allow for the network's jitter.
    const slack = Math.max(10, rtt / 2)
    const first = Math.max(1, Math.floor((atLeast - slack) / 1000) + 1)
    const last = Math.floor((atMost + slack) / 1000)
    if (last < first || (sole && last !== first)) return undefined
    const seconds = first + Math.floor((last - first) / 2)
    return w.mid + seconds * 1000 - rtt / 2 + slack
  }

  /** The window seen opening, with both bounds on its length; undefined until all three are known. */
  private bounds(): { w: Opening; atMost: number; atLeast: number } | undefined {
    const w = this.window
    const atMost = this.windowAtMost
    const atLeast = this.windowAtLeast
    if (!w?.certain || atMost === undefined || atLeast === undefined) return undefined
    return { w, atMost, atLeast }
  }

  private learnedEnd(): number | undefined {
    const w = this.window
    if (!w?.certain || this.windowAtMost === undefined) return undefined
    return w.mid + this.windowAtMost - (this.rtt ?? 0) / 2
  }

  private block(until: number, why: string): PaceDecision {
    if (until > this.blockedUntil) this.blockedUntil = until
    return { waitMs: Math.max(0, this.blockedUntil - this.now()), why }
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
 * `X-RateLimit-Reset` (what Laravel's throttle sends beside Retry-After): an epoch time in seconds,
 * or seconds from now for small values; undefined when absent or unreadable.
 */
export function parseRateLimitReset(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined
  const n = Number(value.trim())
  // Seconds since 1970 are over a billion; anything smaller is a delay in seconds.
  return n > 1_000_000_000 ? Math.max(0, n * 1000 - now) : n * 1000
}
