/**
 * Writes domains.schema.json from the zod definition the action validates with
 * (src/manifest/schema.ts). `--check` exits 1 when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as z from 'zod/mini'
import { manifestSchema } from '../src/manifest/schema.js'
import { ROOT } from '../test-support/action-runner.js'

/** The JSON Schema of `manifestSchema`, with the file's own id, title and description. */
function jsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(manifestSchema, { target: 'draft-2020-12' }) as Record<string, unknown>
  const { $schema, ...rest } = generated
  return {
    $schema,
    $id: 'https://github.com/runcloud-domains-action/runcloud-domains-action/blob/main/domains.schema.json',
    title: 'domains.yml — RunCloud Domains Action manifest',
    description:
      'The domain names of RunCloud web applications, kept in step by the RunCloud Domains Action. Generated from src/manifest/schema.ts; do not edit.',
    ...rest
  }
}

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
