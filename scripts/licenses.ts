/**
 * Writes dist/licenses.txt: the licence of every package whose code is in the bundles, found from
 * the source maps beside them (each bundled file names its source), so a package is listed exactly
 * when its code ships. `npm run build` runs it last; `--check` exits 1 when the file differs.
 * (ncc's own --license output misses the ES modules it concatenates into one scope.)
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../test-support/action-runner.js'

const DIST = join(ROOT, 'dist')
export const LICENSES_PATH = join(DIST, 'licenses.txt')
const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i

function maps(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? maps(join(dir, e.name)) : e.name.endsWith('.js.map') ? [join(dir, e.name)] : []
  )
}

/** Package directories (relative to the root, nested ones included) whose files the bundles hold. */
export function bundledPackages(): string[] {
  const dirs = new Set<string>()
  for (const map of maps(DIST)) {
    const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }
    for (const s of sources) {
      // The last node_modules/<name> (or node_modules/@scope/name) in the path is the package.
      const m = /^(?:.*\/)?(node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(s.replace(/^(\.\.\/)+/, ''))
      if (m) dirs.add(m[1] as string)
    }
  }
  return [...dirs].sort()
}

export function renderLicenses(): string {
  const entries = bundledPackages().map(dir => {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
      name: string
      version: string
      license?: string
    }
    const file = readdirSync(join(ROOT, dir)).find(f => LICENSE_FILE.test(f))
    const text = file
      ? readFileSync(join(ROOT, dir, file), 'utf8').trim()
      : `(no licence file; package.json says ${pkg.license ?? 'nothing'})`
    return { name: pkg.name, version: pkg.version, license: pkg.license ?? 'UNKNOWN', text }
  })
  entries.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))
  return entries.map(e => `${e.name}@${e.version}\n${e.license}\n${e.text}\n`).join('\n')
}

if (process.argv[1] && /licenses\.ts$/.test(process.argv[1])) {
  const next = renderLicenses()
  if (process.argv.includes('--check')) {
    const current = existsSync(LICENSES_PATH) ? readFileSync(LICENSES_PATH, 'utf8') : ''
    if (current !== next) {
      console.error('dist/licenses.txt is stale: run `npm run build` and commit dist/.')
      process.exit(1)
    }
  } else writeFileSync(LICENSES_PATH, next)
}
