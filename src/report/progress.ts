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
  /** Count one finished operation and give its line: `[n/N] add example.com … done`. */
  step(item: ProgressItem, outcome: string): string
  /** Operations logged so far. */
  readonly done: number
  readonly total: number
}

/**
 * Progress lines for a long apply (SPEC section 6). The counter is shared by every app, so with
 * apps in parallel the numbers still run 1…N across the whole run; where each line is written
 * (the app's log group) is the caller's.
 */
export function createProgress(total: number): Progress {
  let done = 0
  return {
    step(item, outcome) {
      done++
      const name =
        item.unicode && item.unicode !== item.domain ? `${item.domain} (${item.unicode})` : item.domain
      // Free text (an error as the outcome, quoting RunCloud) must not break the line (a line
      // break could start a workflow command) or carry terminal escapes.
      return `[${done}/${total}] ${plain(`${item.action} ${name} … ${outcome}`)}`
    },
    get done() {
      return done
    },
    total
  }
}
