/**
 * Text from outside (RunCloud answers, the manifest, git) made safe to show: no terminal escape
 * sequences, no bidirectional overrides that make a line read differently than it is, no other
 * C0/C1 control characters, and — where one line is expected — no line breaks (a line of a job
 * log that starts with `::` is a workflow command).
 */
import { scrub } from './secrets.js'

/* eslint-disable no-control-regex -- control characters are what these look for */
/** ANSI escape sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ST`), the 8-bit CSI, and two-character escapes. */
const ANSI =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]/g

/**
 * C0 and C1 controls, DEL, the bidirectional marks, embeddings, overrides and isolates (U+061C,
 * U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), and the Unicode line and paragraph separators.
 */
const CONTROLS_ALL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g
/** The same, but keeping tab and line feed. */
const CONTROLS_INLINE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g

/* eslint-enable no-control-regex */

/**
 * Free text for one plain-text line (a log line, a terminal line, a table cell): escape sequences
 * removed, every other control character and line break shown as a space.
 */
export function plain(text: string): string {
  return String(text).replace(ANSI, ' ').replace(CONTROLS_ALL, ' ')
}

/**
 * Text of several lines for a job log or a terminal: each line cleaned as `plain` does, and a line
 * that would read as a workflow command (`::name::`, or the older `##[name]`) is shown with a
 * leading `» ` so the runner prints it instead of obeying it.
 */
export function cleanLines(text: string): string {
  return String(text)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map(line => {
      const l = line.replace(ANSI, ' ').replace(CONTROLS_ALL, ' ')
      return /^\s*(::|##\[)/.test(l) ? `» ${l}` : l
    })
    .join('\n')
}

/** A document of our own making (markdown) with text from outside in it: controls out, line breaks kept. */
export function cleanDocument(text: string): string {
  return String(text).replace(/\r\n?/g, '\n').replace(ANSI, ' ').replace(CONTROLS_INLINE, ' ')
}

/** Long free text (an API error with a page of HTML in it) cut to `max` characters, on a code point. */
export function clip(text: string, max: number): string {
  const chars = Array.from(String(text))
  return chars.length <= max ? String(text) : `${chars.slice(0, max - 1).join('')}…`
}

/**
 * What the run may show of any text from outside: credentials scrubbed, controls removed. Scrub
 * first: removing characters or cutting first could leave a piece of a credential behind.
 */
export function safeText(text: string, secrets: readonly (string | undefined)[] = []): string {
  return cleanLines(scrub(text, secrets))
}

/** A short, single-line excerpt of a body, for errors about answers that are not what was asked for. */
export function excerpt(body: string, secrets: readonly (string | undefined)[] = [], max = 100): string {
  // Credentials out first: cutting or stripping tags first could leave a piece of one behind.
  // Cut after scrubbing (a long body costs no more than its start), and tags matched without
  // backtracking (`<` ends a tag's scan), so a body of ten megabytes of `<` takes no time.
  const folded = plain(
    scrub(body, secrets)
      .slice(0, 20 * max)
      .replace(/<[^<>]*>/g, ' ')
  )
    .replace(/\s+/g, ' ')
    .trim()
  return folded.length > max ? `${folded.slice(0, max)}…` : folded
}
