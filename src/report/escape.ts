import { plain } from '../text/clean.js'

/**
 * Escaping for text from the manifest or the API (labels, names, error messages) placed in
 * markdown: no table breakage, no HTML, no code spans, no @-mentions or #-references, no links,
 * no emphasis, no headings.
 * Entities rather than backslashes: GitHub decodes them everywhere outside code, and a backslash
 * does not stop HTML. GitHub finds mentions and references after decoding, so neither an entity
 * nor a backslash stops those: a zero-width space after `@` and `#` does.
 */
export function md(text: string): string {
  // One pass, so an entity's own `&` and `#` are never escaped again.
  // Controls first (escape sequences, bidirectional overrides, line breaks): a cell is one line.
  return plain(String(text)).replace(/[&<>|`@[\]*_~#\\]/g, ch =>
    ch === '&'
      ? '&amp;'
      : ch === '<'
        ? '&lt;'
        : ch === '>'
          ? '&gt;'
          : ch === '@' || ch === '#'
            ? `&#${ch.charCodeAt(0)};&#8203;`
            : `&#${ch.charCodeAt(0)};`
  )
}

/** Characters that mean the same inside and outside a code span, and cannot end a table cell. */
const CODE_SAFE = /^[A-Za-z0-9._\-/+:=,#% ]+$/

/**
 * A value shown as code (`example.com`, a file path) when that is safe; otherwise escaped text.
 * Entities are not decoded inside code spans, so escaped text must never be wrapped in backticks.
 */
export function code(text: string): string {
  const s = String(text)
  return s.length > 0 && CODE_SAFE.test(s) ? `\`${s}\`` : md(s)
}
