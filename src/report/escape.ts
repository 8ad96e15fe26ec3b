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
  return String(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>|`@[\]*_~#\\]/g, ch =>
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

/** Long free text (an API error with a page of HTML in it) cut to `max` characters, on a code point. */
export function clip(text: string, max: number): string {
  const chars = Array.from(String(text))
  return chars.length <= max ? String(text) : `${chars.slice(0, max - 1).join('')}…`
}

/**
 * Free text for a plain-text log or terminal line: no line breaks (a label with a newline could
 * start a line with `::error::`, which the runner reads as a workflow command), no terminal escape
 * sequences, no bidirectional overrides that make a line read differently than it is.
 */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ')
}
