/** export writes every name quoted: nothing RunCloud holds can start a new line, entry or key of the manifest. */
import { parse } from 'yaml'
import { exportManifest } from '../../src/cli/export.js'
import type { LiveDomain, RunCloudApi } from '../../src/runcloud/types.js'

const domain = (id: number, name: string, type = 'alias'): LiveDomain => ({
  id,
  name,
  type,
  www: true,
  redirection: 'non-www'
})

function fakeApi(domains: LiveDomain[], appName: string, serverName: string): RunCloudApi {
  return {
    calls: 0,
    listServers: () => Promise.resolve([{ id: 1, name: serverName }]),
    listApps: () => Promise.resolve([{ id: 2, name: appName }]),
    resolveServer: (s: number | string) => Promise.resolve(typeof s === 'number' ? s : 1),
    resolveApp: (_s: number, a: number | string) => Promise.resolve(typeof a === 'number' ? a : 2),
    listDomains: () => Promise.resolve(domains)
  } as unknown as RunCloudApi
}

describe('export', () => {
  it('a name, label or primary holding line breaks, quotes or controls adds no entry and no key', async () => {
    const api = fakeApi(
      [
        domain(1, 'main.example.com\n  - evil.example.com', 'primary'),
        domain(2, 'a.example.com'),
        domain(3, 'bad\n- injected.example.com'),
        domain(4, 'b.example.com')
      ],
      'app\n    exclusive: true\n#\u202e',
      'srv"\n- x\u001b[31m\u2028'
    )
    const text = await exportManifest(api, 'all', new Date('2026-01-01'))
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2028\u2029]/)
    const doc = parse(text) as { apps: { label: string; domains: string[]; exclusive?: boolean }[] }
    expect(doc.apps).toHaveLength(1)
    expect(doc.apps[0]?.domains).toEqual(['a.example.com', 'b.example.com'])
    expect(doc.apps[0]?.exclusive).toBeUndefined()
    expect(doc.apps[0]?.label).toBe('app\n    exclusive: true\n#\u202e')
    for (const line of text.split('\n').filter(Boolean))
      expect(line).toMatch(/^(# |version: |apps:| {2}# | {2}- server: | {4}(app: |label: |domains:)| {6}- ")/)
    expect(text).toContain('"a.example.com"')
  })
})
