import { plain } from './escape.js'

/** One operation as the progress log names it. */
export interface ProgressItem {
  action: string
  /** ASCII name. */
  domain: string
  /** Unicode form, when it differs. */
  unicode?: string
}

export interface Progress {
  /** Log one finished operation: `[n/N] add example.com … done`. Returns the line written. */
  step(item: ProgressItem, outcome: string): string
  /** Operations logged so far. */
  readonly done: number
  readonly total: number
}

/**
 * Progress lines for a long apply (SPEC section 6). The counter is shared by every app, so with
 * apps in parallel the numbers still run 1…N across the whole run; grouping the lines per app is
 * the caller's (it wraps each app in a log group). Lines go through `info` only.
 */
export function createProgress(total: number, info: (line: string) => void): Progress {
  let done = 0
  return {
    step(item, outcome) {
      done++
      const name =
        item.unicode && item.unicode !== item.domain ? `${item.domain} (${item.unicode})` : item.domain
      // Free text (an error as the outcome) must not break the line or carry terminal escapes.
      const line = `[${done}/${total}] ${plain(`${item.action} ${name} … ${outcome}`)}`
      info(line)
      return line
    },
    get done() {
      return done
    },
    total
  }
}
