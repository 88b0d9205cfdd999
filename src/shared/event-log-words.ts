// What the window and the CLI say about event-log lines that did not open: one sentence, so both
// surfaces say the same thing (and the renderer's bundle does not need zod for it).

/** "2 entries could not be verified: …" for lines of the event log that did not open. */
export function unverifiedWords(n: number): string {
  const what = n === 1 ? '1 entry could not be verified' : `${n} entries could not be verified`
  return (
    `${what}: changed or written outside TokenDeck, or sealed with a key since replaced. ` +
    `${n === 1 ? 'It is' : 'They are'} not shown.`
  )
}
