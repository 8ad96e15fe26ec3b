import type { Logger } from '../logger.js'
import { plain } from '../text/clean.js'
import { progressLine } from '../report/progress.js'

const paint = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`
export const colours = { red: paint(31), green: paint(32), yellow: paint(33), dim: paint(2), bold: paint(1) }

/** Colour the plan text's change lines on a terminal: + add, ~ update, - remove. */
export function colourPlanText(text: string): string {
  return text
    .split('\n')
    .map(l => {
      const t = l.trimStart()
      // An add whose DNS does not point at the server yet: its DNS part in yellow.
      const dns = l.indexOf(' · DNS ')
      if (t.startsWith('+') && dns >= 0 && /⚠️|❔/.test(l.slice(dns)))
        return colours.green(l.slice(0, dns)) + colours.yellow(l.slice(dns))
      if (t.startsWith('+')) return colours.green(l)
      if (t.startsWith('~')) return colours.yellow(l)
      if (t.startsWith('-')) return colours.red(l)
      if (t.startsWith('totals:')) return /[1-9]\d* failed/.test(t) ? colours.red(l) : colours.bold(l)
      if (/failed|unsafe|error/i.test(t)) return colours.red(l)
      return l
    })
    .join('\n')
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
