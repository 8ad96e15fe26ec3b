/** A full-form manifest as YAML text, for end-to-end tests that commit one. */
export interface AppSpec {
  server: string | number
  app: string | number
  label?: string
  exclusive?: boolean
  ignore?: string[]
  ssl?: string
  domains: (string | { name: string; www?: boolean; redirection?: string })[]
}

export function manifest(...apps: AppSpec[]): string {
  const lines = ['version: 1', 'apps:']
  for (const a of apps) {
    lines.push(`  - server: ${JSON.stringify(a.server)}`, `    app: ${JSON.stringify(a.app)}`)
    if (a.label) lines.push(`    label: ${a.label}`)
    if (a.exclusive) lines.push('    exclusive: true')
    if (a.ssl) lines.push(`    ssl: ${a.ssl}`)
    if (a.ignore) lines.push('    ignore:', ...a.ignore.map(g => `      - "${g}"`))
    lines.push(a.domains.length ? '    domains:' : '    domains: []')
    for (const d of a.domains) {
      if (typeof d === 'string') lines.push(`      - ${d}`)
      else {
        lines.push(`      - name: ${d.name}`)
        if (d.www !== undefined) lines.push(`        www: ${d.www}`)
        if (d.redirection) lines.push(`        redirection: ${d.redirection}`)
      }
    }
  }
  return `${lines.join('\n')}\n`
}
