/**
 * `src/` holds only what the two front doors reach (docs/architecture.md): walk the relative
 * imports from `src/index.ts` and `src/cli/index.ts`, and every file under `src/` must be reached,
 * and nothing reached may live outside `src/` (test doubles are in `test-support/`).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..', '..')
const SRC = join(ROOT, 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []
  )
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(m => m[1] as string)
  // A path into a package's files (one it does not export) is the package's code, not the project's.
  return specs
    .filter(s => !s.includes('/node_modules/'))
    .map(s => resolve(dirname(file), s.replace(/\.js$/, '.ts')))
}

function reachable(entries: string[]): Set<string> {
  const seen = new Set<string>()
  const stack = [...entries]
  while (stack.length) {
    const f = stack.pop() as string
    if (seen.has(f)) continue
    seen.add(f)
    stack.push(...relativeImports(f))
  }
  return seen
}

describe('src/ import graph', () => {
  const reached = reachable([join(SRC, 'index.ts'), join(SRC, 'cli', 'index.ts')])

  it('reaches nothing outside src/ (no test support in the bundle)', () => {
    const outside = [...reached].filter(f => !f.startsWith(SRC + '/')).map(f => relative(ROOT, f))
    expect(outside).toEqual([])
  })

  it('reaches every file under src/ (nothing in src/ that the bundle does not run)', () => {
    const unreached = sourceFiles(SRC)
      .filter(f => !reached.has(f))
      .map(f => relative(ROOT, f))
    expect(unreached).toEqual([])
  })

  it('finds imports the way the walker reads them (the walk itself can fail)', () => {
    expect(reached.has(join(SRC, 'main.ts'))).toBe(true)
    expect(reached.has(join(SRC, 'engine.ts'))).toBe(true)
  })
})
