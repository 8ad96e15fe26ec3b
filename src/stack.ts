import { readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** `at fn (file:///…/dist/index.js:1:2345)` or `at /…/dist/index.js:1:2345`: the file, line and column. */
const FRAME = /(file:\/\/\S+?\.[cm]?js|\/[^\s():]+?\.[cm]?js):(\d+):(\d+)/g

/**
 * A stack trace with the bundle's positions turned into TypeScript source positions, read from the
 * source map beside each bundled file. Done only when a stack is shown: turning Node's own source
 * map support on at start would parse every map on every run (runners cannot pass
 * --enable-source-maps to an action, and the bundle is minified).
 */
export function sourceMappedStack(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>()
  const mapFor = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) {
      let map: SourceMap | undefined
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload)
      } catch {
        map = undefined
      }
      maps.set(file, map)
    }
    return maps.get(file)
  }
  return stack.replace(FRAME, (whole, where: string, line: string, col: string) => {
    const file = where.startsWith('file://') ? fileURLToPath(where) : where
    const entry = mapFor(file)?.findEntry(Number(line) - 1, Number(col) - 1)
    if (!entry || !('originalSource' in entry)) return whole
    // Sources are written relative to the map (`../src/main.ts`).
    const source = new URL(entry.originalSource, pathToFileURL(file))
    const shown = source.protocol === 'file:' ? fileURLToPath(source) : entry.originalSource
    return `${shown}:${entry.originalLine + 1}:${entry.originalColumn + 1}`
  })
}
