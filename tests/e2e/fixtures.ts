// `test` with a `deck` fixture: a fresh app (temp vault, sandbox servers) and the page on it.
// Use test.use({ deckOptions: { clock } }) for a manual clock shared by main and the sandbox.
import { expect, test as base } from '@playwright/test'
import { Deck, type DeckOptions } from './harness'

export const test = base.extend<{ deckOptions: DeckOptions; deck: Deck }>({
  deckOptions: [{}, { option: true }],
  deck: async ({ page, deckOptions }, use, testInfo) => {
    const deck = await Deck.start(page, deckOptions)
    await use(deck)
    await deck.finish(`${testInfo.titlePath.join('-')}`)
    const unexpected = deck.consoleErrors.filter(
      (e) => !KNOWN_CONSOLE_ERRORS.some((k) => k.test(e)),
    )
    expect(unexpected, 'console errors in the page').toEqual([])
  },
})

/**
 * Radix's scroll lock (react-remove-scroll) injects a <style> element while a modal is open;
 * the CSP (style-src 'self') refuses it, which is harmless here: the window never scrolls as a
 * whole (each screen scrolls inside its own panel).
 */
const KNOWN_CONSOLE_ERRORS = [
  /style-src/,
  // The CSP names frame-ancestors, which only works as a header (the server sends it).
  /'frame-ancestors' is ignored when delivered via a <meta> element/,
]

export { expect }
