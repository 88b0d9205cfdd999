// Quitting: the first 'will-quit' is held until the async cleanup (clipboard, demo vault, sandbox)
// has run or timed out, then the quit goes on. The cleanup runs once.
export interface QuitApp {
  on(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): unknown
  quit(): void
}

export function installQuitCleanup(
  app: QuitApp,
  cleanup: () => Promise<void>,
  opts: { timeoutMs?: number; log?: (line: string) => void } = {},
): void {
  const log = opts.log ?? (() => {})
  const timeoutMs = opts.timeoutMs ?? 3000
  let state: 'idle' | 'running' | 'done' = 'idle'
  app.on('will-quit', (event) => {
    if (state === 'done') return
    event.preventDefault()
    if (state === 'running') return
    state = 'running'
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log('quit: cleanup timed out')
        resolve()
      }, timeoutMs)
    })
    Promise.race([
      cleanup().catch((e: unknown) => log(`quit: cleanup failed (${(e as Error)?.name})`)),
      timeout,
    ])
      .finally(() => {
        clearTimeout(timer)
        state = 'done'
        app.quit()
      })
      .catch((e: unknown) => log(`quit: could not quit (${(e as Error)?.name})`))
  })
}
