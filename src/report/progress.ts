import { plain } from '../text/clean.js'

/** One operation as progress names it. */
export interface ProgressItem {
  action: string
  /** ASCII name. */
  domain: string
  /** Unicode form, when it differs. */
  unicode?: string
}

/** How one operation ended, as progress reports it. */
export interface ProgressOutcome {
  status: 'done' | 'noop' | 'failed' | 'skipped'
  /** For people: `done`, `already live`, `failed: <why>`. */
  text: string
}

/**
 * One finished operation of an apply. The applier emits these; each front door renders them its
 * own way (a log line in the action, a progress bar on a terminal) — nobody parses text back.
 */
export interface ProgressEvent {
  /** 1…total across the whole run, apps in parallel included. */
  n: number
  total: number
  change: ProgressItem
  outcome: ProgressOutcome
}

export interface Progress {
  /** Count one finished operation. */
  step(change: ProgressItem, outcome: ProgressOutcome): ProgressEvent
  /** Operations counted so far. */
  readonly done: number
  readonly total: number
}

/**
 * The run's progress counter. It is shared by every app, so with apps in parallel the numbers still
 * run 1…N across the whole run; where each event goes (the app's log group) is the caller's.
 */
export function createProgress(total: number): Progress {
  let done = 0
  return {
    step(change, outcome) {
      done++
      return { n: done, total, change: { ...change }, outcome }
    },
    get done() {
      return done
    },
    total
  }
}

/**
 * The log line of an event: `[n/N] add example.com … done`. Free text (an error quoting RunCloud)
 * must not break the line (a line break could start a workflow command) or carry terminal escapes.
 */
export function progressLine(e: ProgressEvent): string {
  const { action, domain, unicode } = e.change
  const name = unicode && unicode !== domain ? `${domain} (${unicode})` : domain
  return `[${e.n}/${e.total}] ${plain(`${action} ${name} … ${e.outcome.text}`)}`
}
