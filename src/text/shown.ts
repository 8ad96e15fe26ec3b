/**
 * The last step before anything reaches the job log, the summary, a comment, an output or the
 * terminal: credentials scrubbed in every form, control characters removed. The renderers already
 * clean what they take from outside; this is applied once more to what they produce, so no path is
 * left out.
 */
import { cleanDocument, cleanLines } from './clean.js'
import { scrub, scrubDeep } from './secrets.js'

/** A log or terminal message: scrubbed, no controls, no line that reads as a workflow command. */
export function shown(text: string): string {
  return cleanLines(scrub(String(text)))
}

/** A markdown document of our making (summary, comment): scrubbed, no controls; its lines kept. */
export function shownDocument(markdown: string): string {
  return cleanDocument(scrub(markdown))
}

/**
 * An output value: scrubbed; a JSON value stays valid JSON (it is scrubbed string by string when
 * scrubbing the text as a whole would break it).
 */
export function shownOutput(value: string): string {
  const scrubbed = scrub(value)
  if (scrubbed === value) return value
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return scrubbed
  }
  try {
    JSON.parse(scrubbed)
    return scrubbed
  } catch {
    return JSON.stringify(scrubDeep(parsed))
  }
}

/** A value to render (a plan, problems, errors): every string in it scrubbed, before it is cut or escaped. */
export function shownData<T>(value: T): T {
  return scrubDeep(value)
}
