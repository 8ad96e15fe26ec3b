import type { Logger } from '../logger.js'
import { plain } from '../text/clean.js'
import type { PlanLine, Tone } from '../report/markdown.js'
import { progressLine } from '../report/progress.js'

const paint = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`
export const colours = { red: paint(31), green: paint(32), yellow: paint(33), dim: paint(2), bold: paint(1) }

const TONE: Record<Tone, (s: string) => string> = {
  add: colours.green,
  update: colours.yellow,
  remove: colours.red,
  problem: colours.red,
  caution: colours.yellow,
  strong: colours.bold,
  plain: s => s
}

/** The plan text for a terminal: each part of each line in its tone's colour. */
export function colourPlanText(lines: readonly PlanLine[]): string {
  return lines.map(l => l.map(p => TONE[p.tone](p.text)).join('')).join('\n')
}

/**
 * The CLI's logger. On a terminal: colour, and a progress bar drawn from the applier's progress
 * events on stderr; elsewhere: plain `[n/N] …` lines, nothing redrawn.
 */
export function terminalLogger(opts: {
  tty: boolean
  verbose?: boolean
  out?: NodeJS.WritableStream
  err?: NodeJS.WritableStream
}): Logger & { finish(): void } {
  const out = opts.out ?? process.stdout
  const err = opts.err ?? process.stderr
  let barShown = false
  const clearBar = (): void => {
    if (barShown) {
      err.write('\r\u001b[2K')
      barShown = false
    }
  }
  const line = (s: string): void => {
    clearBar()
    out.write(`${s}\n`)
  }
  const logger: Logger & { finish(): void } = {
    progress(e) {
      if (!opts.tty) return line(progressLine(e))
      if (e.outcome.status === 'failed') line(colours.red(progressLine(e)))
      const width = 30
      const filled = Math.round((e.n / Math.max(e.total, 1)) * width)
      const text = plain(`${e.change.action} ${e.change.domain} … ${e.outcome.text}`).slice(0, 60)
      err.write(`\r\u001b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.n}/${e.total} ${text}`)
      barShown = true
    },
    info(message) {
      line(message)
    },
    warning(message) {
      line(opts.tty ? colours.yellow(`warning: ${message}`) : `warning: ${message}`)
    },
    error(message) {
      line(opts.tty ? colours.red(`error: ${message}`) : `error: ${message}`)
    },
    debug(message) {
      if (opts.verbose) line(opts.tty ? colours.dim(message) : message)
    },
    async group(name, fn) {
      line(opts.tty ? colours.bold(`▸ ${name}`) : `▸ ${name}`)
      return fn()
    },
    finish: clearBar
  }
  return logger
}
