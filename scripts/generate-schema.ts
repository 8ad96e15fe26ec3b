/**
 * Writes domains.schema.json from the zod definition the action validates with
 * (src/manifest/schema.ts). `--check` exits 1 when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { jsonSchema } from '../src/manifest/schema.js'
import { ROOT } from '../test-support/action-runner.js'

export const SCHEMA_PATH = join(ROOT, 'domains.schema.json')
export const renderSchema = (): string => `${JSON.stringify(jsonSchema(), null, 2)}\n`

if (process.argv[1] && /generate-schema\.ts$/.test(process.argv[1])) {
  const next = renderSchema()
  if (process.argv.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(SCHEMA_PATH, 'utf8')
    } catch {
      // missing counts as stale
    }
    if (current !== next) {
      console.error('domains.schema.json is stale: run `npm run schema` and commit it.')
      process.exit(1)
    }
    console.log('domains.schema.json matches src/manifest/schema.ts.')
  } else {
    writeFileSync(SCHEMA_PATH, next)
    console.log('domains.schema.json written.')
  }
}
