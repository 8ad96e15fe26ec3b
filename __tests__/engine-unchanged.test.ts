/** An unchanged manifest (base text equal to the head's) is parsed once, and plans nothing. */
import { jest } from '@jest/globals'
import type { EngineInput } from '../src/engine.js'
import { BufferLogger } from '../src/logger.js'
import { readSettings } from '../src/settings.js'
import { makeRepo } from '../test-support/git-repo.js'

const real = await import('../src/manifest/parse.js')
const parsed: string[] = []
jest.unstable_mockModule('../src/manifest/parse.js', () => ({
  ...real,
  parseManifest: (...args: Parameters<typeof real.parseManifest>) => {
    parsed.push(args[0])
    return real.parseManifest(...args)
  }
}))
const { execute } = await import('../src/engine.js')

const text = 'version: 1\napps:\n  - server: 1\n    app: 2\n    domains: [a.example.com, b.example.com]\n'

async function plan(commits: Record<string, string>[]) {
  const repo = makeRepo(commits)
  try {
    parsed.length = 0
    const input: EngineInput = {
      settings: readSettings(() => ''),
      workspace: repo.dir,
      event: { eventName: 'push', payload: { before: repo.shas[0] } },
      createApi: () => {
        throw new Error('offline')
      },
      log: new BufferLogger()
    }
    return await execute(input)
  } finally {
    repo.cleanup()
  }
}

it('parses an unchanged manifest once and plans no change', async () => {
  const result = await plan([{ 'domains.yml': text }, { 'README.md': 'unrelated' }])
  expect(result.exitCode).toBe(0)
  expect(parsed).toEqual([text])
  expect(result.plan?.apps.flatMap(a => a.changes)).toEqual([])
})

it('parses both when they differ, and plans the difference', async () => {
  const head = text.replace('b.example.com', 'c.example.com')
  const result = await plan([{ 'domains.yml': text }, { 'domains.yml': head }])
  expect(parsed).toEqual([head, text])
  expect(result.plan?.apps.flatMap(a => a.changes.map(c => `${c.action} ${c.domain}`))).toEqual([
    'add c.example.com',
    'remove b.example.com'
  ])
})
