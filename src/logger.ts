import { progressLine, type ProgressEvent } from './report/progress.js'

/** Where the engine writes for people: the job log (action) or the terminal (CLI). */
export interface Logger {
  /** One finished apply operation; each front door renders it its own way. */
  progress(event: ProgressEvent): void
  info(message: string): void
  warning(message: string): void
  error(message: string): void
  debug(message: string): void
  /** Lines written inside `fn` are folded under `name` where the front end supports it. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
}

/** A logger that keeps lines in memory: for tests, and for buffering one app's lines while apps run in parallel. */
export class BufferLogger implements Logger {
  readonly lines: (
    | { level: 'info' | 'warning' | 'error' | 'debug'; message: string }
    | { level: 'progress'; message: string; event: ProgressEvent }
  )[] = []
  progress(event: ProgressEvent): void {
    this.lines.push({ level: 'progress', message: progressLine(event), event })
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message })
  }
  warning(message: string): void {
    this.lines.push({ level: 'warning', message })
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message })
  }
  debug(message: string): void {
    this.lines.push({ level: 'debug', message })
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.info(`▸ ${name}`)
    return fn()
  }
  /** Write the kept lines to another logger, in order. */
  replay(to: Logger): void {
    for (const l of this.lines) {
      if (l.level === 'progress') to.progress(l.event)
      else to[l.level](l.message)
    }
  }
  text(): string {
    return this.lines.map(l => l.message).join('\n')
  }
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker))
  return results
}
