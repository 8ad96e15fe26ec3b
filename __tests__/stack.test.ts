import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sourceMappedStack } from '../src/stack.js'

describe('sourceMappedStack', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rcd-stack-'))
    // dist/x.js: line 1 comes from src/a.ts line 1, line 2 from src/a.ts line 3 column 5.
    writeFileSync(join(dir, 'x.js'), 'one()\ntwo()\n')
    writeFileSync(
      join(dir, 'x.js.map'),
      JSON.stringify({ version: 3, sources: ['../src/a.ts'], names: [], mappings: 'AAAA;AAEI' })
    )
    writeFileSync(join(dir, 'broken.js'), 'x\n')
    writeFileSync(join(dir, 'broken.js.map'), '{ not json')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('turns bundle positions (file URLs and paths) into source positions', () => {
    const url = pathToFileURL(join(dir, 'x.js')).href
    const stack = `Error: boom\n    at two (${url}:2:1)\n    at ${join(dir, 'x.js')}:1:1`
    const src = join(dir, '..', 'src', 'a.ts')
    expect(sourceMappedStack(stack)).toBe(`Error: boom\n    at two (${src}:3:5)\n    at ${src}:1:1`)
  })

  it('leaves frames alone that have no usable map, and Node internals', () => {
    const stack = [
      'Error: boom',
      `    at f (${join(dir, 'broken.js')}:1:1)`,
      `    at g (${join(dir, 'absent.js')}:4:2)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:104:5)'
    ].join('\n')
    expect(sourceMappedStack(stack)).toBe(stack)
  })
})
