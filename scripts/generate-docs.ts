/**
 * Writes the inputs and outputs tables of README.md from action.yml, between the markers
 * <!-- inputs:start --> … <!-- inputs:end --> and <!-- outputs:start --> … <!-- outputs:end -->,
 * so the docs never drift from the action. `--check` exits 1 when README.md is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../test-support/action-runner.js'

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ').trim()

export function renderTables(actionYml: string): { inputs: string; outputs: string } {
  const action = parse(actionYml) as ActionYml
  const inputs = [
    '| input | default | description |',
    '| --- | --- | --- |',
    ...Object.entries(action.inputs).map(
      ([name, i]) => `| \`${name}\` | ${i.default ? `\`${cell(i.default)}\`` : ''} | ${cell(i.description)} |`
    )
  ].join('\n')
  const outputs = [
    '| output | description |',
    '| --- | --- |',
    ...Object.entries(action.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`)
  ].join('\n')
  return { inputs, outputs }
}

export function updateReadme(readme: string, actionYml: string): string {
  const tables = renderTables(actionYml)
  let out = readme
  for (const key of ['inputs', 'outputs'] as const) {
    const re = new RegExp(`(<!-- ${key}:start -->)[\\s\\S]*?(<!-- ${key}:end -->)`)
    if (!re.test(out))
      throw new Error(`README.md lacks the <!-- ${key}:start --> / <!-- ${key}:end --> markers`)
    out = out.replace(re, `$1\n${tables[key]}\n$2`)
  }
  return out
}

const isMain = process.argv[1] && /generate-docs\.ts$/.test(process.argv[1])
if (isMain) {
  const readmePath = join(ROOT, 'README.md')
  const readme = readFileSync(readmePath, 'utf8')
  const next = updateReadme(readme, readFileSync(join(ROOT, 'action.yml'), 'utf8'))
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md inputs/outputs tables are stale: run `npm run docs` and commit README.md.')
      process.exit(1)
    }
    console.log('README.md tables match action.yml.')
  } else {
    writeFileSync(readmePath, next)
    console.log('README.md tables written from action.yml.')
  }
}
