// Async event handlers for props that expect a void function (onClick, onSubmit): API failures
// come back as Results, so a rejection here is a bug; it is logged with a one-line tag (never a
// value) and shown as an error toast instead of becoming an unhandled rejection.
import { toast } from './toast-store'

export function asyncHandler<A extends unknown[]>(
  tag: string,
  run: (...args: A) => Promise<unknown>,
): (...args: A) => void {
  return (...args) => {
    run(...args).catch((e: unknown) => {
      console.error(`[tokendeck] ${tag}: failed (${e instanceof Error ? e.name : 'error'})`)
      toast('error', 'That did not finish', 'Something went wrong in the app. Try again.')
    })
  }
}
