/**
 * Escaping for text from the manifest or the API (labels, names, error messages) placed in
 * markdown: no table breakage, no HTML, no code spans, no @-mentions, no links.
 */
export function md(text: string): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/@/g, '&#64;')
    .replace(/\[/g, '&#91;')
    .replace(/\]/g, '&#93;')
    .replace(/\*/g, '&#42;')
    .replace(/_/g, '&#95;')
    .replace(/\\/g, '&#92;')
    .replace(/[\r\n]+/g, ' ')
}
