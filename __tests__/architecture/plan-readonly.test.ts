import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/**
 * Nothing outside src/plan/ assigns to a plan: the plan's types are readonly all the way down.
 * The fixture tries every kind of change with `@ts-expect-error` on each; here it is compiled
 * with and without those markers.
 */
const here = dirname(fileURLToPath(import.meta.url))
const fixture = join(here, 'fixtures', 'plan-assignments.ts')

function diagnostics(text: string): readonly ts.Diagnostic[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: []
  }
  const host = ts.createCompilerHost(options)
  const read = host.readFile.bind(host)
  host.readFile = name => (name === fixture ? text : read(name))
  const program = ts.createProgram([fixture], options, host)
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(fixture))
}

describe('the plan is readonly outside src/plan/', () => {
  const text = readFileSync(fixture, 'utf8')
  const attempts = text.split('\n').filter(l => /^\s*\/\/ @ts-expect-error/.test(l)).length

  it('every attempt to change a plan is a type error', () => {
    expect(attempts).toBeGreaterThanOrEqual(12)
    const bare = diagnostics(text.replace(/^(\s*)\/\/ @ts-expect-error.*$/gm, '$1//'))
    const lines = new Set(
      bare.map(d => d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line).filter(l => l !== undefined)
    )
    expect(lines.size).toBe(attempts)
  })

  it('and nothing else in the fixture is', () => {
    expect(diagnostics(text).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([])
  })
})
