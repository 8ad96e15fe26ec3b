import type { ManifestProblem } from './types.js'

/** The properties core.error() takes to place an annotation on the file's line and column. */
export function annotationProperties(p: ManifestProblem): {
  title: string
  file: string
  startLine: number
  startColumn: number
} {
  return { title: 'domains manifest', file: p.file, startLine: p.line, startColumn: p.col }
}

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

/** `::error file=…,line=…,col=…::message`, escaped as GitHub's workflow commands require. */
export function formatAnnotation(p: ManifestProblem): string {
  return `::error file=${escapeProperty(p.file)},line=${p.line},col=${p.col}::${escapeData(p.message)}`
}
