/** Comments point into the repository's own docs/, never to documents outside it. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..', '..')

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []
  )
}

const sources = ['src', 'test-support', 'scripts'].flatMap(d => files(join(ROOT, d)))

it('every docs/ file a comment names exists', () => {
  const missing: string[] = []
  for (const f of sources) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bdocs\/[\w./-]+\.md\b/g))
      if (!existsSync(join(ROOT, m[0]))) missing.push(`${relative(ROOT, f)}: ${m[0]}`)
  }
  expect(missing).toEqual([])
})

it('no comment points outside the repository (the product spec, shared notes)', () => {
  const outside = sources.filter(f =>
    /\bSPEC\b|\.\.\/shared\/|[^/]runcloud-api\.md/.test(readFileSync(f, 'utf8'))
  )
  expect(outside.map(f => relative(ROOT, f))).toEqual([])
})
