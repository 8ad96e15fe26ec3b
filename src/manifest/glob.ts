/**
 * `ignore` glob match: `*` matches any run of characters (dots included), `?` one character;
 * case-insensitive, whole name. No regular expression: the glob is split at its stars and each
 * piece is found leftmost after the previous one (the earliest place leaves the most room for the
 * rest, so that is a match whenever one exists). Each piece is searched once, so a glob like
 * `*a*a*a*a*b` costs the name's length times the glob's, never an exponential backtrack.
 */
export function matchesGlob(name: string, glob: string): boolean {
  const n = name.toLowerCase()
  const parts = glob.trim().toLowerCase().split('*')
  const first = parts[0] as string
  if (parts.length === 1) return n.length === first.length && pieceAt(n, first, 0)
  const last = parts[parts.length - 1] as string
  if (n.length < first.length + last.length) return false
  if (!pieceAt(n, first, 0) || !pieceAt(n, last, n.length - last.length)) return false
  let from = first.length
  const end = n.length - last.length
  for (let i = 1; i < parts.length - 1; i++) {
    const piece = parts[i] as string
    if (piece === '') continue
    const at = findPiece(n, piece, from, end)
    if (at < 0) return false
    from = at + piece.length
  }
  return true
}

/** Does `piece` (with `?` for any one character) match `s` at `at`? */
function pieceAt(s: string, piece: string, at: number): boolean {
  if (at < 0 || at + piece.length > s.length) return false
  for (let i = 0; i < piece.length; i++) if (piece[i] !== '?' && piece[i] !== s[at + i]) return false
  return true
}

/** The first index from `from` where `piece` matches and ends by `end`, or -1. */
function findPiece(s: string, piece: string, from: number, end: number): number {
  if (!piece.includes('?')) {
    const at = s.indexOf(piece, from)
    return at >= 0 && at + piece.length <= end ? at : -1
  }
  for (let at = from; at + piece.length <= end; at++) if (pieceAt(s, piece, at)) return at
  return -1
}
