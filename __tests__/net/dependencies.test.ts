/** One HTTP stack: one undici, one @actions/http-client and one Octokit in the lock file and in the bundle. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../../test-support/action-runner.js'

const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>
}
const copies = (name: string) =>
  Object.keys(lock.packages).filter(
    path => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`)
  )

describe('one HTTP stack', () => {
  it('installs a single undici, @actions/http-client and @octokit/core, and no @octokit/rest', () => {
    expect(copies('undici')).toEqual(['node_modules/undici'])
    expect(copies('@actions/http-client')).toEqual(['node_modules/@actions/http-client'])
    expect(copies('@octokit/core')).toEqual(['node_modules/@octokit/core'])
    expect(copies('@octokit/rest')).toEqual([])
  })
  it('bundles undici once: its CONNECT-tunnel error text appears once across the action bundle', () => {
    const dist = join(ROOT, 'dist')
    const text = readdirSync(dist)
      .filter(f => f.endsWith('.js'))
      .map(f => readFileSync(join(dist, f), 'utf8'))
      .join('\n')
    expect(text.split('when HTTP Tunneling').length - 1).toBe(1)
  })
})
